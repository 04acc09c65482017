-- What is wrong with the landing folder as a whole, one row per finding (the quality gate blocks on them
-- unless accepted):
--   missing_delivery   a monthly event table that delivered each of the 3 months before has no file for a month
--                      between its first and its last delivery, that another monthly table delivered (a month
--                      silently missing moves every result of its quarter; a misnamed last month shows as an
--                      unrecognised file)
--   missing_month      the same for a table whose deliveries are not monthly-regular before the gap (a sparse
--                      feed), or for a monthly snapshot (the rulebook then uses the latest earlier month): reported
--   refused_delivery   the file in force for a delivery could not be read at all (empty, wrong separator,
--                      missing column...): that month or snapshot has no row
--   unrecognised_file  a file whose name matches no table; in_source_folder tells whether it sits in one of the
--                      contract's folders (finess/, ror/, ...), where it is most likely a misnamed delivery
--   refused_entry      an entry that is not a regular file of the landing folder (a link outside it, a FIFO...)
{{ config(materialized='table') }}

with current as (
    select * from {{ ref('stg_ingestion__current_deliveries') }}
),

monthly as (
    select c.table_name, min(c.delivery_start) as first_month, max(c.delivery_start) as last_month,
           bool_or(p.dated_rows is not null) as is_event_table
    from current as c
    left join {{ ref('stg_ingestion__delivery_profiles') }} as p using (table_name, delivery_key, file_sha256)
    where c.is_monthly and c.delivery_start <= current_date
    group by 1
),

delivered_months as (
    select distinct delivery_start as month from current where is_monthly
),

months as (
    select m.table_name, m.is_event_table, cast(t.month as date) as month
    from monthly as m, range(m.first_month, m.last_month + interval 1 day, interval 1 month) t(month)
),

missing as (
    select
        case when m.is_event_table
                  and (select count(*) from current as p
                       where p.table_name = m.table_name and p.is_monthly
                         and p.delivery_start >= m.month - interval 3 month and p.delivery_start < m.month) = 3
             then 'missing_delivery' else 'missing_month' end as finding,
        m.table_name,
        strftime(m.month, '%Y-%m') as delivery_key,
        cast(null as varchar) as file_name,
        true as in_source_folder,
        'no file ' || m.table_name || '_' || strftime(m.month, '%Y-%m') || '.csv although the table has deliveries '
            || 'before and after it, and other tables deliver that month' as detail
    from months as m
    left join current as c on c.table_name = m.table_name and c.is_monthly and c.delivery_start = m.month
    where c.table_name is null and m.month in (select month from delivered_months)
),

refused as (
    select 'refused_delivery', table_name, delivery_key, file_name, true, message
    from current where status = 'refused'
),

inventory as (
    select
        case role when 'unrecognised' then 'unrecognised_file' else 'refused_entry' end,
        cast(null as varchar),
        cast(null as varchar),
        file_name,
        known_source,
        file_name || ': ' || reason
    from {{ ref('stg_ingestion__landing_inventory') }}
    where role in ('unrecognised', 'refused')
)

select * from missing
union all select * from refused
union all select * from inventory
