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

locations as (

    select * from {{ ref('int_locations_resolved') }}

),

scoped_mentions as (

    select
        event_mentions.*,
        releases.published_at,
        releases.seen_date,
        lower(trim(regexp_replace(event_mentions.description, '\s+', ' ', 'g'))) as description_key
    from event_mentions
    inner join affected_groups
        on event_mentions.event_group_key = affected_groups.event_group_key
    inner join releases
        on event_mentions.release_id = releases.release_id

),

mention_participants as (

    select
        event_mention_id,
        list_sort(list_distinct(list(person_id))) as person_ids
    from event_participants
    where person_id is not null
        and event_mention_id in (select event_mention_id from scoped_mentions)
    group by event_mention_id

),

-- a place and every place it lies in (venue -> city -> country; region -> country)
location_ancestors as (

    select location_id, location_id as ancestor_id from locations
    union
    select location_id, parent_location_id from locations where parent_location_id is not null
    union
    select child.location_id, parent.parent_location_id
    from locations as child
    inner join locations as parent
        on child.parent_location_id = parent.location_id
    where parent.parent_location_id is not null

),

mentions as (

    select
        scoped_mentions.*,
        coalesce(mention_participants.person_ids, []) as person_ids
    from scoped_mentions
    left join mention_participants
        on scoped_mentions.event_mention_id = mention_participants.event_mention_id

),

-- every pair of reports in one block (same start_date and event_type), judged rule by rule
pairs as (

    select
        left_mention.event_mention_id as left_id,
        right_mention.event_mention_id as right_id,
        left_mention.start_time is not null as is_timed,
        left_mention.start_time is not distinct from right_mention.start_time
            or left_mention.start_time is null
            or right_mention.start_time is null as is_time_compatible,
        case
            when left_mention.location_id is null and right_mention.location_id is null then 'none'
            when left_mention.location_id = right_mention.location_id then 'same'
            when left_mention.location_id is null or right_mention.location_id is null then 'one_missing'
            when exists (
                select 1 from location_ancestors
                where (location_ancestors.location_id = left_mention.location_id
                        and location_ancestors.ancestor_id = right_mention.location_id)
                    or (location_ancestors.location_id = right_mention.location_id
                        and location_ancestors.ancestor_id = left_mention.location_id)
            ) then 'contained'
            else 'conflict'
        end as place_relation,
        len(list_intersect(left_mention.person_ids, right_mention.person_ids)) > 0
            as has_shared_participant,
        len(left_mention.person_ids) = 0 and len(right_mention.person_ids) = 0
            as has_no_participants,
        len(left_mention.person_ids) > 0 and len(right_mention.person_ids) > 0
            and len(list_intersect(left_mention.person_ids, right_mention.person_ids)) = 0
            as has_different_participants,
        left_mention.description_key is not null
            and left_mention.description_key = right_mention.description_key as has_same_description,
        (left_mention.start_time is null) = (right_mention.start_time is null) as is_same_timing
    from mentions as left_mention
    inner join mentions as right_mention
        on left_mention.event_group_key = right_mention.event_group_key
        and left_mention.event_mention_id < right_mention.event_mention_id
        -- two items of one release are two items of one agenda: never one event
        and left_mention.release_id <> right_mention.release_id

),

matching_pairs as (

    select left_id, right_id, is_timed, is_same_timing
    from pairs
    where is_time_compatible
        and place_relation <> 'conflict'
        and (
            has_shared_participant
            -- the same description names the same happening, unless the people differ
            or (has_same_description and not has_different_participants)
            or (has_no_participants and place_relation in ('same', 'contained'))
        )

),

-- components among reports with the same timing (timed with timed at the same time,
-- untimed with untimed): a chain through an untimed report can never join two times
edges as (

    select left_id as from_id, right_id as to_id from matching_pairs where is_same_timing
    union
    select right_id as from_id, left_id as to_id from matching_pairs where is_same_timing
    union
    select event_mention_id as from_id, event_mention_id as to_id from mentions

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

timed_components as (

    select components.event_mention_id, components.component_id
    from components
    inner join mentions
        on components.event_mention_id = mentions.event_mention_id
    where mentions.start_time is not null

),

-- an untimed group joins a timed event only when exactly one timed event fits it
untimed_attachments as (

    select
        untimed.component_id as untimed_component_id,
        min(timed_components.component_id) as timed_component_id
    from matching_pairs
    inner join components as untimed
        on untimed.event_mention_id = case when matching_pairs.is_timed
            then matching_pairs.right_id else matching_pairs.left_id end
    inner join timed_components
        on timed_components.event_mention_id = case when matching_pairs.is_timed
            then matching_pairs.left_id else matching_pairs.right_id end
    where not matching_pairs.is_same_timing
    group by untimed.component_id
    having count(distinct timed_components.component_id) = 1

),

clusters as (

    select
        components.event_mention_id,
        coalesce(untimed_attachments.timed_component_id, components.component_id) as component_id
    from components
    left join untimed_attachments
        on components.component_id = untimed_attachments.untimed_component_id

),

positioned as (

    -- the representative report is the earliest published (an advisory before the news
    -- item about the same happening), then release and mention id
    select
        scoped_mentions.*,
        clusters.component_id,
        row_number() over (
            partition by clusters.component_id
            order by
                scoped_mentions.published_at asc nulls last,
                scoped_mentions.seen_date asc nulls last,
                scoped_mentions.release_id,
                scoped_mentions.event_mention_id
        ) as cluster_position
    from scoped_mentions
    inner join clusters
        on scoped_mentions.event_mention_id = clusters.event_mention_id

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
