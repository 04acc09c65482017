{#-
    ESMS Numérique: the rule lists and the MSS/DMP window, written once (rulebook "ESMS Numérique").
-#}

{#- Business event types of the DUI audit trail (landing contract, dui/): an UPDATE is one of these done by a
    UTILISATEUR. Never an update: CORRECTION_IDENTITE, TECHNIQUE, ADMINISTRATIF, CONSULTATION (read only),
    RECEPTION_MSS, INTEGRATION_EXTERNE. -#}
{% macro esms_business_event_types() -%}
    ('AGENDA', 'PRESCRIPTION', 'TRANSMISSION', 'PROJET_PERSONNALISE', 'EVALUATION', 'DOCUMENT', 'SOIN',
     'ACCOMPAGNEMENT')
{%- endmacro %}

{#- Months of the MSS/DMP window (« 3 à 6 mois », doc 003): EPARCOURS_ESMS_WINDOW_MONTHS, default 3, an integer
    from 3 to 6; anything else stops the compilation (a wrong window must never publish silently). -#}
{% macro esms_window_months() -%}
    {%- set raw = env_var('EPARCOURS_ESMS_WINDOW_MONTHS', '3') | trim -%}
    {%- if raw not in ['3', '4', '5', '6'] -%}
        {{ exceptions.raise_compiler_error(
            "EPARCOURS_ESMS_WINDOW_MONTHS must be an integer from 3 to 6 (doc 003: « 3 à 6 mois »), got '"
            ~ raw ~ "'") }}
    {%- endif -%}
    {{ raw | int }}
{%- endmacro %}
