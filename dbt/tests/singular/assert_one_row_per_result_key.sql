-- A failure means two results exist for one indicator × scope × subgroup × measure date: the published CSV / CNSA
-- workbook would carry two contradictory figures for one structure, or one of them was silently dropped. Checked on
-- indicator_results itself AND on the indicator models it unions, for the measure dates it publishes: its target
-- lookup keeps one row per key (QUALIFY row_number() = 1), so an upstream duplicate would otherwise vanish unseen.
-- The upstream models are read from the dbt graph (every `ind_*` parent of indicator_results, ESMS included), so a
-- model added to indicator_results is checked without editing this test.
with published as (
    select indicator_id, measure_date, scope_type, scope_id, subgroup
    from {{ ref('indicator_results') }}
),

upstream as (
    {%- set parents = [] %}
    {%- if execute %}
        {%- for node_id in graph.nodes['model.' ~ project_name ~ '.indicator_results'].depends_on.nodes
              if node_id.startswith('model.') and node_id.split('.')[-1].startswith('ind_') %}
            {%- do parents.append(graph.nodes[node_id]) %}
        {%- endfor %}
    {%- endif %}
    {%- for p in parents %}
    select indicator_id, measure_date, scope_type, scope_id, subgroup, '{{ p.name }}' as model_name
    from {{ api.Relation.create(database=p.database, schema=p.schema, identifier=p.alias) }}
    where measure_date in (select measure_date from published)
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- if not parents %}
    select null::varchar, null::date, null::varchar, null::varchar, null::varchar, null::varchar where false
    {%- endif %}
)

select 'indicator_results' as checked, indicator_id, measure_date, scope_type, scope_id, subgroup, count(*) as n_rows
from published
group by all
having count(*) > 1

union all

select 'upstream: ' || string_agg(distinct model_name, ', '), indicator_id, measure_date, scope_type, scope_id, subgroup,
       count(*)
from upstream
group by indicator_id, measure_date, scope_type, scope_id, subgroup
having count(*) > 1
