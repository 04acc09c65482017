{#-
    Identifier checks as plain, set-based DuckDB SQL expressions (no UDF). Each returns a BOOLEAN that
    is never NULL: false for an absent (NULL) or malformed value. Pass an already trimmed expression.

    This file must stay plain Jinja (no ref/source/config/adapter calls): tests/dbt/test_identifier_macros.py
    renders it with jinja2 alone and runs the expressions against the test vectors in seeds/.
-#}

{#- FINESS: 9 characters; the first two are digits, or 2A/2B (Corsica); the other 7 are digits. The last
    digit is a Luhn check digit computed over the 9 characters with A and B counted as 0: from the left,
    the digits in even positions (2, 4, 6, 8) are doubled (minus 9 when above 9) and the total of the 9
    digits is a multiple of 10. Overseas numbers start 97/98 (their `departement` field is 9A..9J, the
    number itself carries no letter). -#}
{% macro is_valid_finess(col) -%}
    {%- set norm -%}replace(replace({{ col }}, 'A', '0'), 'B', '0'){%- endset -%}
    (case when regexp_full_match({{ col }}, '([0-9]{2}|2A|2B)[0-9]{7}') then (
        {%- for i in range(1, 10) %}
        {%- set d -%}(ascii(substr({{ norm }}, {{ i }}, 1)) - 48){%- endset %}
        {% if not loop.first %}+ {% endif -%}
        {%- if i % 2 == 0 -%}((2 * {{ d }}) // 10 + (2 * {{ d }}) % 10){%- else -%}{{ d }}{%- endif -%}
        {%- endfor %}
    ) % 10 = 0 else false end)
{%- endmacro %}

{#- INS / NIR: 15 characters: the sex/kind digit 1..8, 4 digits, 2 digits or 2A/2B (Corsica), 8 digits
    (the same format as the ingestion's rule). With 2A -> 19 and 2B -> 18, the first 13 characters are an
    integer n; the key (last two digits) is 97 - (n mod 97). -#}
{% macro is_valid_ins(col) -%}
    (case when regexp_full_match({{ col }}, '[1-8][0-9]{4}([0-9]{2}|2A|2B)[0-9]{8}') then
        97 - (try_cast(replace(replace(left({{ col }}, 13), '2A', '19'), '2B', '18') as bigint) % 97)
            = try_cast(right({{ col }}, 2) as integer)
    else false end)
{%- endmacro %}

{#- A string of exactly n digits (RPPS: 11, SIRET: 14, GALIS: 8). Format only, no check digit. -#}
{% macro is_digits(col, n) -%}
    coalesce(regexp_full_match({{ col }}, '[0-9]{{ '{' ~ n ~ '}' }}'), false)
{%- endmacro %}
