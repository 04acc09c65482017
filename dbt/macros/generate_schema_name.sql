{#- The custom schema of a node is used verbatim (`staging`, not `main_staging`): dbt schema = Dagster
    key prefix = group. Nodes without a custom schema go to the target schema (`main`). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
