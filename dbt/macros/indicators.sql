{#-
    Shared shape of every indicator model. `rows` is the name of a CTE with one row per structure
    (or per region group) and columns:
        measure_date, scope_type, scope_id, subgroup, numerator, denominator
    It must follow a WITH list (it continues it). The macro adds the region rows (sum of numerators over sum of denominators of the structure rows
    that exist — rulebook "region rows", never an average of rates) and the period columns.
-#}
{% macro indicator_rows(indicator_id, rows, region_rows=true) -%}
, all_rows as (
    select measure_date, scope_type, scope_id, subgroup, numerator, denominator from {{ rows }}
    {% if region_rows %}
    union all
    select measure_date, 'region', (select region_code from {{ ref('int_region') }}), subgroup,
           sum(numerator), sum(denominator)
    from {{ rows }}
    group by measure_date, subgroup
    {% endif %}
)

select
    '{{ indicator_id }}' as indicator_id,
    r.measure_date,
    m.period_start,
    m.period_end,
    r.scope_type,
    r.scope_id,
    r.subgroup,
    cast(r.numerator as bigint) as numerator,
    cast(r.denominator as bigint) as denominator
from all_rows as r
join {{ ref('int_measure_dates') }} as m using (measure_date)
{%- endmacro %}

{#- Incremental by measure date: a run for a window of quarters replaces exactly those quarters. -#}
{% macro indicator_config() -%}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}
{%- endmacro %}

{#- The names of the models that `model_name` reads whose name starts with `prefix` (at execution; [] at parse):
    how the catalogue tests see which indicator or audit models a union reads. -#}
{% macro model_parents(model_name, prefix) -%}
    {%- set parents = [] -%}
    {%- if execute -%}
        {%- for node_id in graph.nodes['model.eparcours.' ~ model_name].depends_on.nodes -%}
            {%- set node = graph.nodes.get(node_id) -%}
            {%- if node and node.resource_type == 'model' and node.name.startswith(prefix) -%}
                {%- do parents.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(parents) }}
{%- endmacro %}
