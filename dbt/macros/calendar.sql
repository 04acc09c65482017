{#-
    The day and the lag the gate judges what is due with, from the environment the pipeline exports
    (transform/assets.py export_calendar: Python's calendar.today() and schedules.lag_days(), the values the
    schedules use). Environment variables, not --vars: a new day re-parses only the models that read them.
-#}

{#- EPARCOURS_TODAY (YYYY-MM-DD); current_date when it is unset (dbt run by hand). -#}
{% macro eparcours_today() -%}
    {%- set raw = env_var('EPARCOURS_TODAY', '') | trim -%}
    {%- if raw == '' -%}
        current_date
    {%- elif modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', raw) -%}
        cast('{{ raw }}' as date)
    {%- else -%}
        {{ exceptions.raise_compiler_error("EPARCOURS_TODAY must be a date YYYY-MM-DD, got '" ~ raw ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- EPARCOURS_QUARTER_LAG_DAYS: a quarter is due this many days after its last day (default 45, as
    schedules.DEFAULT_LAG_DAYS). -#}
{% macro quarter_lag_days() -%}
    {%- set raw = env_var('EPARCOURS_QUARTER_LAG_DAYS', '45') | trim -%}
    {%- if not modules.re.fullmatch('[0-9]+', raw) -%}
        {{ exceptions.raise_compiler_error(
            "EPARCOURS_QUARTER_LAG_DAYS must be a whole number of days, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{ raw | int }}
{%- endmacro %}
