{#- The releases whose resolved person mentions and event participants this run rebuilds:
    see _intermediate.yml. -#}
{%- set previous_mentions = previous_relation('int_person_mentions_resolved') -%}
{%- set previous_participants = previous_relation('int_event_participants_resolved') -%}

with

person_mentions as (

    select * from {{ ref('stg_raw__person_mentions') }}

),

event_participants as (

    select * from {{ ref('stg_raw__event_participants') }}

),

person_keys as (

    select * from {{ ref('int_person_keys_resolved') }}

),

recomputed_arrivals as (

    select * from {{ ref('int_release_sightings_affected') }}

),

{% if previous_mentions is not none and previous_participants is not none %}
-- name keys that now resolve differently from what the previous run stored (a lone surname
-- linked or unlinked because a full name appeared or disappeared elsewhere)
relinked_mention_keys as (

    select name_key, person_id, person_key, is_surname_link
    from {{ previous_mentions }}
    except
    select name_key, person_id, person_key, is_surname_link
    from person_keys

),

relinked_participant_keys as (

    select name_key, person_id
    from {{ previous_participants }}
    where not has_person_mention
    except
    select name_key, person_id
    from person_keys

),

final as (

    -- raw rows in the window (a new or re-extracted release)
    select release_id from person_mentions where {{ in_partition_window('partition_date') }}
    union
    select release_id from event_participants where {{ in_partition_window('partition_date') }}
    union
    -- arrivals whose release identity was recomputed (a copy that became the release, a
    -- release that became a copy or left raw): mentions join best copies only
    select sighted_release_id from recomputed_arrivals
    union
    select previous_mentions.release_id
    from {{ previous_mentions }} as previous_mentions
    semi join relinked_mention_keys
        on previous_mentions.name_key = relinked_mention_keys.name_key
    union
    select previous_participants.release_id
    from {{ previous_participants }} as previous_participants
    semi join relinked_participant_keys
        on previous_participants.name_key = relinked_participant_keys.name_key
    union
    -- what a failed run left unconsumed (macros/pending_work_sets.sql)
    {{ pending_work_set('int_person_releases_affected', 'release_id') }}

)
{% else %}
-- first run or --full-refresh: every release
final as (

    select release_id from person_mentions
    union
    select release_id from event_participants

)
{% endif %}

select release_id from final
