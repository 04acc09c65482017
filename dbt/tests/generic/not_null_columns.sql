{#- Fails with one row per listed column that has NULL values (with their count). One scan of the model
    for all its required columns instead of one not_null test (and one scan) per column: on the 5–20 M row
    event tables this keeps `dbt build` short, and the failure still names the column. -#}
{% test not_null_columns(model, column_names) %}
with counts as (
    select
        {%- for c in column_names %}
        count(*) filter (where {{ c }} is null) as null_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
)
{% for c in column_names -%}
select '{{ c }}' as column_name, null_{{ loop.index }} as null_rows
from counts
where null_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}
{% endtest %}
