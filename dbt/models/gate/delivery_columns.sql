-- Column identity: one row per delivery in force of every landing table, with the columns whose values do not
-- look like the column's own history (the previous 12 deliveries, at least 3, each of at least 10 sampled rows;
-- the ingestion measures every column on the first 5,000 lines of each file, raw.delivery_columns):
--   emptied      a column filled in at least 90 % of the rows of every delivery of the history is filled in at
--                most half of this one (another table's file under this name: its columns are empty; an export
--                that lost a column)
--   reshaped     the values of a column (not a code of a fixed list) all had one shape in the history (the same
--                shape dominating every delivery with at least 90 % of the rows: E9 for E2024060000001, CD9 for
--                CD0000225) and this delivery's dominant shape is another (two identifier columns exchanged
--                under an unchanged header, another table's file)
--   repeated     the column that alone is the table's business key (event_id, message_id, id_ue: unique by the
--                contract), unique in every delivery of the history (at least 98 % distinct values), is not any
--                more (at most 80 %): its values were exchanged with a column that repeats (an event id replaced
--                by the dossier id). Any other column may repeat (a professional member of two CPTS)
-- A delivery of fewer than 10 rows is not judged (too few to tell), nor a history that is not stable (free text,
-- UUIDs, mixed identifier schemes: the history never had one dominant shape). Shape and repetition are judged on
-- deliveries where the column is filled at least 10 times (a column filled twice is "always unique" by chance).
{{ config(materialized='table') }}

with current as (
    select table_name, delivery_key, file_sha256, file_name
    from {{ ref('stg_ingestion__current_deliveries') }}
    where status = 'loaded'
),

columns as (
    select
        c.table_name, c.delivery_key, c.file_name, k.column_name, k.sampled_rows,
        k.filled / nullif(k.sampled_rows, 0) as fill_share,
        k.distinct_values / nullif(k.filled, 0) as distinct_share,
        k.top_shape,
        k.top_shape_rows / nullif(k.filled, 0) as top_shape_share,
        -- identifier-like columns (free text, FINESS, RPPS...): not codes of a fixed list, whose values are
        -- judged by the quarantine rules and whose shape is the code itself; not dates or numbers
        coalesce(k.column_rule, 'text') in ('text', 'finess', 'rpps', 'siret', 'galis') as is_identifier,
        coalesce(k.column_rule, 'text') in ('enum', 'codelist') as is_code,
        coalesce(k.is_key, false) as is_key,
        k.filled
    from current as c
    join {{ ref('stg_ingestion__delivery_columns') }} as k using (table_name, delivery_key, file_sha256)
),

judged_history as (
    -- only deliveries large enough to tell enter the history
    select * from columns where sampled_rows >= 10
),

-- the shape and repetition of a column are judged on deliveries where it is filled at least 10 times (a column
-- filled twice is "always unique" and "always one shape" by chance)
filled_history as (
    select
        c.table_name, c.delivery_key, c.column_name,
        min(top_shape_share) over w as history_min_shape_share,
        count(distinct top_shape) over w as history_shapes,
        mode(top_shape) over w as history_shape,
        min(distinct_share) over w as history_min_distinct,
        count(*) over w as history_filled_n
    from (select * from judged_history where filled >= 10) as c
    window w as (partition by table_name, column_name order by delivery_key rows between 12 preceding and 1 preceding)
),

history as (
    select
        c.*,
        count(*) over w as history_n,
        min(fill_share) over w as history_min_fill
    from judged_history as c
    window w as (partition by table_name, column_name order by delivery_key rows between 12 preceding and 1 preceding)
),

findings as (
    select
        h.*,
        case
            when h.history_n >= 3 and h.history_min_fill >= 0.9 and h.fill_share <= 0.5 then 'emptied'
            when f.history_filled_n >= 3 and not h.is_code and h.filled >= 10 and f.history_shapes = 1
                 and f.history_min_shape_share >= 0.9 and h.top_shape is distinct from f.history_shape then 'reshaped'
            when f.history_filled_n >= 3 and h.is_key and h.filled >= 10 and f.history_min_distinct >= 0.98
                 and h.distinct_share <= 0.8 then 'repeated'
        end as finding,
        f.history_shape,
        f.history_min_distinct
    from history as h
    left join filled_history as f using (table_name, delivery_key, column_name)
)

select
    c.table_name,
    c.delivery_key,
    any_value(c.file_name) as file_name,
    count(f.finding) as changed_columns,
    array_to_string(list(f.column_name || ' ' || f.finding || ' (' ||
        case f.finding
            when 'emptied' then 'filled ' || cast(round(100 * f.fill_share) as int) || ' % of the rows, at least '
                                || cast(round(100 * f.history_min_fill) as int) || ' % before'
            when 'reshaped' then 'values like ' || f.top_shape || ' instead of ' || f.history_shape
            when 'repeated' then cast(round(100 * f.distinct_share) as int) || ' % distinct values, at least '
                                 || cast(round(100 * f.history_min_distinct) as int) || ' % before'
        end || ')' order by f.column_name) filter (where f.finding is not null), '; ') as changed_examples
from current as c
left join findings as f using (table_name, delivery_key)
group by c.table_name, c.delivery_key
