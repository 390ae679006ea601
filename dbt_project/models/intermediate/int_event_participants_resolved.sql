{#- Incremental: a run rebuilds the participants of int_person_releases_affected (no row
    key: the pre-hook deletes those releases' rows, the run appends them again). -#}
-- depends_on: {{ ref('int_person_releases_affected') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_person_releases_affected() }}"
) }}

with

event_participants as (

    select source_participants.*
    from {{ ref('stg_raw__event_participants') }} as source_participants
    semi join {{ ref('int_person_releases_affected') }} as affected
        on source_participants.release_id = affected.release_id

),

person_mentions as (

    select * from {{ ref('int_person_mentions_resolved') }}

),

person_keys as (

    select * from {{ ref('int_person_keys_resolved') }}

),

final as (

    select
        event_participants.event_mention_id,
        event_participants.release_id,
        event_participants.person_mention_id,
        person_mentions.person_mention_id is not null as has_person_mention,
        -- the participant's own mention decides who it is; a name without one resolves
        -- through the same key table as mentions
        coalesce(person_mentions.person_id, person_keys.person_id) as person_id,
        event_participants.full_name,
        event_participants.name_key,
        event_participants.role,
        event_participants.evidence_start,
        event_participants.evidence_end,
        event_participants.partition_date
    from event_participants
    left join person_mentions
        on event_participants.person_mention_id = person_mentions.person_mention_id
    left join person_keys
        on event_participants.name_key = person_keys.name_key

)

select * from final
