{#- The de-duplication rule is documented in _intermediate.yml (int_events_deduplicated). -#}
with recursive

affected_groups as (

    select * from {{ ref('int_event_groups_affected') }}

),

event_mentions as (

    select * from {{ ref('stg_raw__event_mentions') }}

),

event_participants as (

    select * from {{ ref('int_event_participants_resolved') }}

),

releases as (

    select * from {{ ref('int_releases_latest') }}

),

scoped_mentions as (

    select
        event_mentions.*,
        releases.published_at,
        releases.seen_date
    from event_mentions
    inner join affected_groups
        on event_mentions.event_group_key = affected_groups.event_group_key
    inner join releases
        on event_mentions.release_id = releases.release_id

),

scoped_participants as (

    select distinct
        scoped_mentions.event_group_key,
        event_participants.event_mention_id,
        event_participants.person_id
    from event_participants
    inner join scoped_mentions
        on event_participants.event_mention_id = scoped_mentions.event_mention_id
    where event_participants.person_id is not null

),

-- star edges instead of cliques: every mention links to the first mention (by id) in its
-- group that shares the participant, or, without participants, to the group's first
-- participant-less mention; connected components are the same, edges stay linear
participant_links as (

    select
        event_mention_id,
        min(event_mention_id) over (partition by event_group_key, person_id) as anchor_id
    from scoped_participants

),

participantless_links as (

    select
        event_mention_id,
        min(event_mention_id) over (partition by event_group_key) as anchor_id
    from scoped_mentions
    where event_mention_id not in (select event_mention_id from scoped_participants)

),

edges as (

    select event_mention_id as from_id, anchor_id as to_id from participant_links
    union
    select anchor_id as from_id, event_mention_id as to_id from participant_links
    union
    select event_mention_id as from_id, anchor_id as to_id from participantless_links
    union
    select anchor_id as from_id, event_mention_id as to_id from participantless_links
    union
    select event_mention_id as from_id, event_mention_id as to_id from scoped_mentions

),

reachable (event_mention_id, reachable_id) as (

    select from_id, to_id from edges
    union
    select reachable.event_mention_id, edges.to_id
    from reachable
    inner join edges
        on reachable.reachable_id = edges.from_id

),

components as (

    select
        event_mention_id,
        min(reachable_id) as component_id
    from reachable
    group by event_mention_id

),

positioned as (

    -- the representative report is the earliest published (an advisory before the news
    -- item about the same happening), then release and mention id
    select
        scoped_mentions.*,
        components.component_id,
        row_number() over (
            partition by components.component_id
            order by
                scoped_mentions.published_at asc nulls last,
                scoped_mentions.seen_date asc nulls last,
                scoped_mentions.release_id,
                scoped_mentions.event_mention_id
        ) as cluster_position
    from scoped_mentions
    inner join components
        on scoped_mentions.event_mention_id = components.event_mention_id

),

final as (

    select
        {{ surrogate_key('event', ['first_value(event_mention_id) over (partition by component_id order by cluster_position)']) }}
            as event_id,
        event_mention_id,
        release_id,
        event_group_key,
        cluster_position,
        cluster_position = 1 as is_representative,
        event_type,
        description,
        start_date,
        end_date,
        date_precision,
        start_time,
        timezone_label,
        timezone_name,
        starts_at,
        place_id,
        location_id,
        evidence_start,
        evidence_end,
        published_at,
        partition_date
    from positioned

)

select * from final
