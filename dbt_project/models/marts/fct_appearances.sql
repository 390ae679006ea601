{#- Runs after fct_events: its pre-hook drops appearances of events that no longer exist. -#}
-- depends_on: {{ ref('fct_events') }}
-- depends_on: {{ ref('int_releases_windowed') }}
-- depends_on: {{ ref('int_person_mentions_resolved') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='appearance_id',
    on_schema_change='fail',
    pre_hook="{{ delete_stale_appearances() }}",
    post_hook="{{ refresh_appearance_titles() }}"
) }}

with

clustered_mentions as (

    select * from {{ ref('int_event_mentions_clustered') }}

),

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

event_participants as (

    select * from {{ ref('int_event_participants_resolved') }}

),

candidates as (

    select
        clustered_mentions.event_id,
        event_participants.person_id,
        event_participants.release_id,
        event_participants.role,
        event_participants.evidence_start,
        event_participants.evidence_end,
        -- one appearance per person per event: the earliest report of it, and within a
        -- report the most specific role
        row_number() over (
            partition by clustered_mentions.event_id, event_participants.person_id
            order by
                clustered_mentions.cluster_position,
                case event_participants.role
                    when 'host' then 1 when 'guest' then 2 when 'speaker' then 3 else 4
                end,
                event_participants.evidence_start nulls last
        ) as candidate_rank
    from event_participants
    inner join clustered_mentions
        on event_participants.event_mention_id = clustered_mentions.event_mention_id
    where event_participants.person_id is not null

),

appearances as (

    select
        {{ surrogate_key('appearance', ['candidates.event_id', 'candidates.person_id']) }} as appearance_id,
        candidates.event_id,
        candidates.person_id,
        candidates.release_id,
        candidates.role,
        events.start_date as event_date,
        candidates.evidence_start,
        candidates.evidence_end
    from candidates
    inner join events
        on candidates.event_id = events.event_id
    where candidates.candidate_rank = 1

),

titles as (

    {{ appearance_titles('appearances') }}

),

final as (

    select
        appearances.appearance_id,
        appearances.event_id,
        appearances.person_id,
        appearances.release_id,
        appearances.role,
        titles.title_at_event,
        appearances.evidence_start,
        appearances.evidence_end
    from appearances
    left join titles
        on appearances.appearance_id = titles.appearance_id

)

select * from final
