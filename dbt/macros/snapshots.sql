{#-
    The snapshot in force at each measure date D (rulebook "snapshots"), written once. A query (wrap it in a CTE)
    with one row per measure date of int_measure_dates and two columns, measure_date and `column`:
      column='snapshot_date'  dated snapshots (`_YYYYMMDD`, the extraction date): the latest snapshot_date on or
                              before D
      column='file_month'     monthly files (`_YYYY-MM`, first day of the month): the file of D's month, else the
                              latest earlier month (file_month <= the first day of D's month)
    Per table: the snapshot in force is the latest file of `model` as a whole, never chosen entity by entity (an
    entity absent from that file is absent at D, even if an older file had it).
    keep_dates_without_snapshot: false (default) = a D before the first snapshot gets no row, so the model has no
    row at D; true = it keeps a row with `column` NULL (EP-5.2 measures the age of the latest snapshot).
    Join the rows of the snapshot back with `join {{ ref(model) }} using (<column>)`.
-#}
{% macro snapshot_in_force(model, column='snapshot_date', keep_dates_without_snapshot=false) -%}
    {%- if column == 'snapshot_date' -%}
        {%- set bound = 'm.measure_date' -%}
    {%- elif column == 'file_month' -%}
        {%- set bound = "date_trunc('month', m.measure_date)" -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("snapshot_in_force: column must be snapshot_date or file_month, got '"
                                           ~ column ~ "'") }}
    {%- endif -%}
    select m.measure_date, max(s.{{ column }}) as {{ column }}
    from {{ ref('int_measure_dates') }} as m
    {{ 'left join' if keep_dates_without_snapshot else 'join' }} (select distinct {{ column }} from {{ ref(model) }}) as s
        on s.{{ column }} <= {{ bound }}
    group by 1
{%- endmacro %}

{#- The dossiers of each DAC in force at the measure dates of the run, from the coordination snapshot in force at D,
    filtered by `dossier_filter` (on alias d of int_coord_dossiers_at_measure_date): the population of the DAC
    indicators' audit models (audit_ep_6_*), read from the same intermediates as ind_ep_6_*. Columns: measure_date,
    finess, dossier_id, snapshot_month, date_ouverture. -#}
{% macro dac_dossiers(dossier_filter='d.is_open_at_measure_date') -%}
    select s.measure_date, s.finess, d.dossier_id, d.snapshot_month, d.date_ouverture
    from {{ ref('int_coord_structures_at_measure_date') }} as s
    join {{ ref('int_measure_dates') }} as m using (measure_date)
    join {{ ref('int_coord_dossiers_at_measure_date') }} as d
        on d.measure_date = s.measure_date and d.structure_id = s.structure_id and {{ dossier_filter }}
    where s.structure_type = 'DAC'
{%- endmacro %}
