-- publish.indicator_catalogue: the catalogue seed as consumers read it, with the French label of its reference
-- document.
select c.*, {{ label_of('reference_document', 'c.reference_document') }} as reference_document_label
from {{ ref('ref_indicator_catalogue') }} as c
