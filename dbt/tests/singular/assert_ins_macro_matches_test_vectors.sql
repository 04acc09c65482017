-- A failure means the macro is_valid_ins (used for every INS flag and the EP-INS / EP-4.2 identity
-- match) disagrees with a published INS/NIR test vector (seed test_ins_vectors: python-stdnum and ANS
-- examples, plus constructed malformed values): patients would be wrongly counted as identified or not.
select
    nir,
    expected_valid,
    {{ is_valid_ins('nir') }} as computed_valid,
    source
from {{ ref('test_ins_vectors') }}
where {{ is_valid_ins('nir') }} is distinct from expected_valid
