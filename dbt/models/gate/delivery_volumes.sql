-- One row per delivery in force of every landing table, judged against the table's own earlier deliveries
-- (the way dbt Elementary's volume_anomalies or Monte Carlo's volume monitors judge a table: a training window,
-- robust statistics, a minimum history). The quality gate (expectations/landing/_kinds.yml) reads it; the
-- thresholds are in the suites, the statistics here:
--   volume_ratio      volume (rows per day of a monthly file, scaled to an average month; rows of a snapshot) /
--                     the median of the 3 previous deliveries, divided by the same month's ratio of last
--                     year when that month dipped (seasonality: August, December), clamped to 0.5..1. One-sided on
--                     purpose: the gate only judges drops, and a jump of last year (an adoption wave, a new
--                     structure) is not a seasonal rise to expect again
--   volume_z          robust z-score of that ratio: (volume_ratio - 1) / (1.4826 x MAD of the previous 12
--                     deliveries' ratios), the spread floored at 0.02 (a perfectly regular history is not
--                     infinitely strict) and at cluster_factor/sqrt(recent_median), the relative spread of a count
--                     of that size: Poisson (1) for a snapshot, twice that (2) for events, which come in small
--                     clusters (several of one dossier: 40 coordination messages instead of 71 is chance, not a
--                     partial extract). A bursty table (campaigns, tiny
--                     months) has a wide spread and is never refused
--                     for one more tiny month; history_min_ratio tells the suites the history already had one
--   floor_ratio       rows / the smallest delivery of the previous 12 (seasonally adjusted as above), and
--   floor_z           (rows - that smallest delivery) / (cluster_factor x its square root), the same spread:
--                     a delivery below half the table's smallest recent one, far beyond counting noise, is a
--                     partial extract even when a fast-growing history makes the z-score above too lenient
--   in_month_share    event tables: share of the rows dated in the delivered month (0 when last month's file is
--                     delivered again under this month's name, or the dates are shifted)
--   trailing_gap_days event tables: days between the last event and the end of the month (or today while the
--                     month is not over); compared with the second largest gap of the previous 12 deliveries of
--                     normal size (one past truncation is not the table's habit; many long gaps are), and
--   trailing_gap_p    the chance of so many empty days at the end of the month if the table's days with events
--                     fell at random with its usual density (lower quartile of the share of the month's days that
--                     have events, previous 12 deliveries of normal size, at most 0.95): (1 - density)^gap. A
--                     sparse feed (a message every other day) has long empty stretches by chance; a daily feed
--                     does not. The near-empty months of a feed used in campaigns are not judged on their end
--                     (the suites: history_min_ratio > 0.1 or volume_ratio >= 0.5)
--   same_content_as   another delivery of the same table with byte-identical content
-- A delivery mostly quarantined (more than half its lines) is left out of the history of the others: its few
-- loaded rows are a broken export, not the table's habit (it is refused by quarantine_share itself).
--   flagged_share_jump the share of flagged values minus its median over the previous 12 deliveries (a code list
--                     renamed at the sender on a column whose invalid values are kept and flagged)
{{ config(materialized='table') }}

with current as (
    select * from {{ ref('stg_ingestion__current_deliveries') }} where status = 'loaded'
),

deliveries as (
    select
        c.table_name,
        c.source,
        c.delivery_key,
        c.is_monthly,
        c.delivery_start,
        c.delivery_end,
        c.delivery_start > current_date as delivery_in_future,
        c.delivery_end < current_date as delivery_complete,
        c.file_name,
        c.file_sha256,
        c.rows_loaded,
        -- the volume judged: rows of a monthly file per day, scaled to an average month (February is 8 % shorter
        -- than March, not a partial extract); rows of a snapshot
        case when c.is_monthly
             then c.rows_loaded / (date_diff('day', c.delivery_start, c.delivery_end) + 1) * 30.4375
             else c.rows_loaded end as volume,
        c.rows_rejected,
        c.values_flagged,
        c.rows_rejected / nullif(c.rows_loaded + c.rows_rejected, 0) as quarantine_share,
        -- a delivery mostly quarantined (refused by quarantine_share) says nothing of the table's usual volume:
        -- left out of the history of the others (its few loaded rows would look like a campaign tool's tiny month)
        coalesce(c.rows_rejected / nullif(c.rows_loaded + c.rows_rejected, 0), 0) > 0.5 as is_broken,
        c.values_flagged / nullif(c.rows_loaded, 0) as flagged_share,
        p.dated_rows is not null as is_event_table,
        p.dated_rows,
        p.first_date,
        p.last_date,
        p.active_days,
        p.rows_in_month,
        p.structures,
        p.rows_in_month / nullif(p.dated_rows, 0) as in_month_share,
        -- events come in small clusters (several of one dossier): twice the Poisson spread; a snapshot row is one
        -- dossier or structure: Poisson
        case when p.dated_rows is not null then 2.0 else 1.0 end as cluster_factor,
        case when p.dated_rows is not null and c.is_monthly
             then least(p.active_days / (date_diff('day', c.delivery_start, c.delivery_end) + 1.0), 1.0)
        end as active_density,
        case when p.dated_rows is not null and c.is_monthly
             then date_diff('day', coalesce(p.last_date, c.delivery_start - 1), least(c.delivery_end, current_date))
        end as trailing_gap_days
    from current as c
    left join {{ ref('stg_ingestion__delivery_profiles') }} as p using (table_name, delivery_key, file_sha256)
),

recent as (
    select
        *,
        median(case when not is_broken then volume end) over (partition by table_name order by delivery_key
                                  rows between 3 preceding and 1 preceding) as recent_median
    from deliveries
),

ratios as (
    select *, volume / nullif(recent_median, 0) as raw_ratio,
              case when not is_broken then volume end as history_volume
    from recent
),

seasonal as (
    -- the ratio of the same month one year before (monthly tables), as the expected seasonal movement
    -- (greatest() ignores NULL in DuckDB: no last year must stay NULL, not become 0.5)
    select r.*, case when ly.raw_ratio is not null and not ly.is_broken then least(greatest(ly.raw_ratio, 0.5), 1.0) end
                as seasonal_ratio
    from ratios as r
    left join ratios as ly
        on ly.table_name = r.table_name and r.is_monthly and ly.is_monthly
       and ly.delivery_start = r.delivery_start - interval 12 month
),

history as (
    select
        *,
        count(*) over w12 as history_n,
        median(history_volume) over w12 as history_median,
        min(history_volume) over w12 as history_min,
        max(history_volume) over w12 as history_max,
        mad(case when not is_broken then raw_ratio end) over w12 as history_ratio_mad,
        median(flagged_share) over w12 as history_flagged_median,
        median(in_month_share) over w12 as history_in_month_median,
        -- the usual end of a month of normal size (at least half the recent level: the near-empty months of a
        -- table used in campaigns end early by nature and are not the reference): the second largest gap, not
        -- the largest, so that one truncated month of the window (refused, or accepted) does not make the next
        -- one look ordinary for a year
        coalesce(list_sort(list_filter(list(case when raw_ratio >= 0.5 then trailing_gap_days end) over w12,
                                       lambda g: g is not null), 'DESC')[2], 0) as history_usual_trailing_gap,
        -- the lower quartile of the months of normal size, not the median: a feed whose full months are sparse
        -- (a message every other day) is judged against its sparse months, a regular feed against its density
        quantile_cont(case when raw_ratio >= 0.5 then active_density end, 0.25) over w12 as history_active_density,
        min(active_days) over w12 as history_min_active_days
    from seasonal
    window w12 as (partition by table_name order by delivery_key rows between 12 preceding and 1 preceding)
),

twins as (
    select a.table_name, a.delivery_key, min(b.delivery_key) as same_content_as
    from deliveries as a
    join deliveries as b
      on b.table_name = a.table_name and b.file_sha256 = a.file_sha256 and b.delivery_key <> a.delivery_key
    group by all
)

select
    h.table_name,
    h.source,
    h.delivery_key,
    h.is_monthly,
    h.is_event_table,
    h.delivery_start,
    h.delivery_end,
    h.delivery_in_future,
    h.delivery_complete,
    h.file_name,
    h.file_sha256,
    h.rows_loaded,
    h.volume,
    h.rows_rejected,
    h.values_flagged,
    h.quarantine_share,
    h.flagged_share,
    h.history_flagged_median,
    h.flagged_share - coalesce(h.history_flagged_median, 0) as flagged_share_jump,
    h.dated_rows,
    h.first_date,
    h.last_date,
    h.active_days,
    h.in_month_share,
    h.trailing_gap_days,
    h.history_n,
    h.history_median,
    h.history_min,
    h.history_max,
    h.history_min / nullif(h.history_median, 0) as history_min_ratio,
    h.volume / nullif(h.history_min, 0) / coalesce(h.seasonal_ratio, 1.0) as floor_ratio,
    (h.volume - h.history_min * coalesce(h.seasonal_ratio, 1.0))
        / (h.cluster_factor * sqrt(greatest(h.history_min * coalesce(h.seasonal_ratio, 1.0), 1))) as floor_z,
    h.recent_median,
    coalesce(h.seasonal_ratio, 1.0) as seasonal_ratio,
    h.raw_ratio / coalesce(h.seasonal_ratio, 1.0) as volume_ratio,
    h.history_ratio_mad,
    (h.raw_ratio / coalesce(h.seasonal_ratio, 1.0) - 1)
        / greatest(1.4826 * coalesce(h.history_ratio_mad, 0), 0.02,
                   h.cluster_factor / sqrt(greatest(h.recent_median, 1)))
        as volume_z,
    h.history_in_month_median,
    h.history_usual_trailing_gap,
    h.trailing_gap_days / (coalesce(h.history_usual_trailing_gap, 0) + 1.0) as trailing_gap_ratio,
    h.history_active_density,
    power(1 - least(h.history_active_density, 0.95), h.trailing_gap_days) as trailing_gap_p,
    h.history_min_active_days,
    t.same_content_as
from history as h
left join twins as t using (table_name, delivery_key)
