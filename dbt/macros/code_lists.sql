{#- TRUE when the (trimmed) value is one of the codes of a code-list seed, optionally restricted by a
    condition on the seed (e.g. membership of a ROR value set); FALSE when absent or unknown. Per the
    landing contract, a ROR code outside its list counts as absent. -#}
{% macro in_code_list(col, seed, code_column='code', where=none) -%}
    coalesce({{ col }} in (
        select {{ code_column }} from {{ ref(seed) }}{% if where %} where {{ where }}{% endif %}
    ), false)
{%- endmacro %}
