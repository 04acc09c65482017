-- publish.labels: the French labels of the seed ref_labels (domain, code, label), for the renderers' own headings
-- (domain scope_title: the section titles of the semestrial report). Every published figure already carries its
-- labels as columns; this table is for what is not a figure.
select domain, code, label from {{ ref('ref_labels') }}
