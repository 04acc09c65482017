{#-
    The typing rules of the landing text, written once: the ingestion renders these macros with jinja2
    (dagster_project/ingestion/rules.py) to store every raw column typed, and dbt tests call them. Every macro
    returns NULL, never an error, on a value it cannot read: the ingestion quarantines the rows whose required
    values break the contract, so a NULL stored is an absent or a flagged optional value.
    This file must stay plain Jinja (no ref/source/config/adapter calls).
-#}

{#- Trimmed text, empty -> NULL. trim() (spaces, and Unicode spaces such as U+00A0) allocates a new string for every
    value; among ASCII characters it removes only the space, so a value that is all ASCII (as many bytes as
    characters) and neither starts nor ends with a space is kept as it is: the same result, 3x faster on millions
    of rows (tests/ingestion/test_clean_text.py compares both on every ASCII character and Unicode spaces). -#}
{% macro clean_text(col) -%}
    (case when prefix({{ col }}, ' ') or suffix({{ col }}, ' ') or strlen({{ col }}) <> length({{ col }})
          then nullif(trim({{ col }}), '') else nullif({{ col }}, '') end)
{%- endmacro %}

{#- ISO date YYYY-MM-DD -> DATE. -#}
{% macro parse_date(col) -%}
    cast(try_strptime(trim({{ col }}), '%Y-%m-%d') as date)
{%- endmacro %}

{#- ISO 8601 timestamp with offset (2024-03-05T14:02:11+01:00, or Z) -> TIMESTAMPTZ (an instant). -#}
{% macro parse_ts(col) -%}
    try_cast(trim({{ col }}) as timestamptz)
{%- endmacro %}

{#- The calendar date written in an ISO timestamp (its first 10 characters), as a DATE. Never derived
    from the instant: an event at 2024-04-01T00:30:00+02:00 belongs to 1 April whatever the session time
    zone (indicators rulebook: "local date; never converted to UTC"). -#}
{% macro local_date(col) -%}
    cast(try_strptime(left(trim({{ col }}), 10), '%Y-%m-%d') as date)
{%- endmacro %}

{#- Integer text -> INTEGER (or the given type, e.g. 'bigint'). -#}
{% macro parse_int(col, type='integer') -%}
    try_cast(trim({{ col }}) as {{ type }})
{%- endmacro %}

{#- Decimal text with '.' or ',' as separator -> DOUBLE. -#}
{% macro parse_decimal(col) -%}
    try_cast(replace(trim({{ col }}), ',', '.') as double)
{%- endmacro %}

{#- O/N -> BOOLEAN (NULL when empty or anything else). -#}
{% macro parse_yn(col) -%}
    (case upper(trim({{ col }})) when 'O' then true when 'N' then false end)
{%- endmacro %}

{#- 'a|b|c' -> ['a', 'b', 'c'] (trimmed items, empty items dropped; NULL when the text is empty). -#}
{% macro split_list(col, sep='|') -%}
    (case when nullif(trim({{ col }}), '') is not null
        then [trim(x) for x in string_split(trim({{ col }}), '{{ sep }}') if trim(x) <> ''] end)
{%- endmacro %}

{#- Delivery key of a monthly file (YYYY-MM) -> first day of that month. -#}
{% macro delivery_month(col='_delivery_key') -%}
    cast(try_strptime({{ col }}, '%Y-%m') as date)
{%- endmacro %}

{#- Delivery key of a dated snapshot (YYYY-MM-DD, the extraction date of the file name) -> DATE. -#}
{% macro delivery_date(col='_delivery_key') -%}
    cast(try_strptime({{ col }}, '%Y-%m-%d') as date)
{%- endmacro %}

{#- The lineage columns every staging model carries (the raw table's own; _extra stays in raw). -#}
{% macro lineage_columns() -%}
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
{%- endmacro %}
