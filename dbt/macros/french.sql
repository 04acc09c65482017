{#-
    French display of the published figures, written once: every page, report and file shows these strings
    (publish.indicator_results *_text columns), so a figure reads the same everywhere (1/16 → « 6,3 % »).
    - thousands separated by a no-break space (U+00A0, which the PDF fonts have), decimal comma;
    - a percentage is the exact ratio 100 · n / d rounded half up to one decimal, in integers (no float
      rounding, no rounding of the published two-decimal value);
    - a target keeps only its useful decimals (60 → « 60 », 62.5 → « 62,5 »).
-#}
{% macro fr_number(expr, decimals=0) -%}
    {%- if decimals == 0 -%}
    replace(format('{:,}', cast(round({{ expr }}) as bigint)), ',', chr(160))
    {%- else -%}
    replace(replace(format('{:,.{{ decimals }}f}', cast({{ expr }} as double)), ',', chr(160)), '.', ',')
    {%- endif -%}
{%- endmacro %}

{#- 100 · n / d in tenths of a percent, rounded half up, as an integer (n >= 0, d > 0). -#}
{% macro percent_tenths(numerator, denominator) -%}
    ((2000 * cast({{ numerator }} as hugeint) + cast({{ denominator }} as hugeint))
     // (2 * cast({{ denominator }} as hugeint)))
{%- endmacro %}

{% macro fr_percent(numerator, denominator) -%}
    ({{ fr_number(percent_tenths(numerator, denominator) ~ ' // 10') }} || ',' || cast({{ percent_tenths(numerator, denominator) }} % 10 as varchar) || chr(160) || '%')
{%- endmacro %}

{#- A target or threshold: « 60 », « 62,5 », « 33,33 ». -#}
{% macro fr_trim(expr) -%}
    case when {{ expr }} = trunc({{ expr }}) then {{ fr_number(expr, 0) }}
         else rtrim(rtrim({{ fr_number(expr, 2) }}, '0'), ',') end
{%- endmacro %}

{#- « 1 jour », « 274 jours ». -#}
{% macro fr_days(expr) -%}
    ({{ fr_number(expr, 0) }} || chr(160) || case when abs({{ expr }}) < 2 then 'jour' else 'jours' end)
{%- endmacro %}

{#- The unit after a figure: « % » or « jours ». -#}
{% macro fr_with_unit(text_expr, value_expr, unit_expr) -%}
    case when {{ unit_expr }} = '%' then {{ text_expr }} || chr(160) || '%'
         when {{ unit_expr }} = 'jours' then {{ text_expr }} || chr(160) || case when abs({{ value_expr }}) < 2 then 'jour' else 'jours' end
         else {{ text_expr }} end
{%- endmacro %}

{% macro fr_date(expr) -%}
    strftime({{ expr }}, '%d/%m/%Y')
{%- endmacro %}

{#- « T4 2024 ». -#}
{% macro quarter_label(expr) -%}
    ('T' || quarter({{ expr }}) || ' ' || year({{ expr }}))
{%- endmacro %}

{#- « 1er semestre 2024 » / « 2e semestre 2024 » at a semester end (30/06, 31/12), else null. -#}
{% macro semester_label(expr) -%}
    case when month({{ expr }}) = 6 and day({{ expr }}) = 30 then '1er semestre ' || year({{ expr }})
         when month({{ expr }}) = 12 and day({{ expr }}) = 31 then '2e semestre ' || year({{ expr }}) end
{%- endmacro %}

{#- The French label of a code (seed ref_labels); the code itself when the seed has none (a test lists those). -#}
{% macro label_of(domain, code_expr) -%}
    coalesce((select l.label from {{ ref('ref_labels') }} as l where l.domain = '{{ domain }}' and l.code = {{ code_expr }}), {{ code_expr }})
{%- endmacro %}
