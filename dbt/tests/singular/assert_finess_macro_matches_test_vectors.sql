-- A failure means the macro is_valid_finess (used for every FINESS flag and test) disagrees with a test
-- vector (seed test_finess_vectors: the 28 FINESS numbers of the real etalab excerpt, metropolitan and
-- overseas, all valid; constructed 2A/2B numbers; wrong check digits and malformed values): structures
-- would be wrongly rejected or accepted.
select
    finess,
    expected_valid,
    {{ is_valid_finess('finess') }} as computed_valid,
    source
from {{ ref('test_finess_vectors') }}
where {{ is_valid_finess('finess') }} is distinct from expected_valid
