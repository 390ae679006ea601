{#-
  Event clustering (int_event_mentions_clustered), one bucket of blocks at a time. A
  component never leaves its block (event_group_key), so the blocks can be split into
  buckets by hash(event_group_key) % bucket_count and each bucket clustered alone: pairs,
  labels and positions of one bucket are all a query holds, and the output is the same as
  with one bucket. The model's own query builds bucket 0; its post-hook inserts the others
  in the same transaction. The bucket count grows with the reports to cluster
  (event_cluster_bucket_count); a run with few reports (a new day, the sample) is one
  bucket, as before.
-#}

{#- How many buckets this run clusters in: one per `event_cluster_bucket_reports` reports
    (a var, 100,000 by default: at the 1,000,000-release density, ~2.3 million reports,
    buckets of this size fit DuckDB's 600 MB pool) in the affected blocks. One when not
    building (macros/buckets.sql). -#}
{% macro event_cluster_bucket_count() -%}
    {{ return(bucket_count(
        "select count(*) from " ~ ref('stg_raw__event_mentions')
        ~ " where event_group_key in (select event_group_key from "
        ~ ref('int_event_groups_affected') ~ ")",
        var('event_cluster_bucket_reports', 100000))) }}
{%- endmacro %}

{#- The clustered reports of the affected blocks whose hash(event_group_key) % bucket_count
    is bucket (all of them when bucket_count is 1). -#}
{% macro event_mentions_clustered(bucket, bucket_count) -%}
    with recursive

    affected_groups as (

        select * from {{ ref('int_event_groups_affected') }}
        {%- if bucket_count > 1 %}
        where hash(event_group_key) % {{ bucket_count }} = {{ bucket }}
        {%- endif %}

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

    -- two different places one of which lies in the other, in both orders
    nested_places as (

        select location_id, ancestor_id as other_location_id
        from location_ancestors where location_id <> ancestor_id
        union
        select ancestor_id, location_id
        from location_ancestors where location_id <> ancestor_id

    ),

    mentions as (

        select
            scoped_mentions.*,
            coalesce(mention_participants.person_ids, []) as person_ids,
            -- a dense integer standing for event_mention_id, in its order (pairs and labels
            -- stay small: a block's pairs grow with the square of its reports)
            row_number() over (order by scoped_mentions.event_mention_id) as node_id
        from scoped_mentions
        left join mention_participants
            on scoped_mentions.event_mention_id = mention_participants.event_mention_id

    ),

    -- the pairs of reports in one block (same start_date and event_type) that match, rule by
    -- rule; a pair that does not match is dropped as it is produced
    matching_pairs as materialized (

        select
            left_mention.node_id as left_node_id,
            right_mention.node_id as right_node_id,
            left_mention.start_time is not null as is_timed,
            (left_mention.start_time is null) = (right_mention.start_time is null) as is_same_timing
        from mentions as left_mention
        inner join mentions as right_mention
            on left_mention.event_group_key = right_mention.event_group_key
            and left_mention.node_id < right_mention.node_id
            -- two items of one release are two items of one agenda: never one event
            and left_mention.release_id <> right_mention.release_id
        left join nested_places
            on left_mention.location_id = nested_places.location_id
            and right_mention.location_id = nested_places.other_location_id
        where
            -- the times agree, or one has none
            (left_mention.start_time is not distinct from right_mention.start_time
                or left_mention.start_time is null
                or right_mention.start_time is null)
            -- the places agree, one lies in the other, or one has none
            and (left_mention.location_id is null
                or right_mention.location_id is null
                or left_mention.location_id = right_mention.location_id
                or nested_places.location_id is not null)
            and (
                -- a shared participant
                len(list_intersect(left_mention.person_ids, right_mention.person_ids)) > 0
                -- the same description names the same happening, unless the people differ
                or (left_mention.description_key is not null
                    and left_mention.description_key = right_mention.description_key
                    and not (len(left_mention.person_ids) > 0 and len(right_mention.person_ids) > 0
                        and len(list_intersect(left_mention.person_ids, right_mention.person_ids)) = 0))
                -- nobody named, and the same or a nested place
                or (len(left_mention.person_ids) = 0 and len(right_mention.person_ids) = 0
                    and (left_mention.location_id = right_mention.location_id
                        or nested_places.location_id is not null))
            )

    ),

    -- components among reports with the same timing (timed with timed at the same time,
    -- untimed with untimed): a chain through an untimed report can never join two times
    same_timing_edges as materialized (

        select left_node_id, right_node_id from matching_pairs where is_same_timing

    ),

    -- connected components by label propagation: every report starts with its own label and
    -- takes the smallest label offered by a neighbour (or by the report its label names) until
    -- no label falls; the label left is the component's smallest report. Each round reads only
    -- the reports whose label fell in the round before; one row per report is kept (USING KEY),
    -- so memory grows with the reports and edges, not with the square of a component
    components (node_id, component_id) using key (node_id) as (

        select node_id, node_id from mentions
        union
        (
            select offers.node_id, min(offers.component_id)
            from (
                select same_timing_edges.right_node_id as node_id, fallen.component_id
                from components as fallen
                inner join same_timing_edges
                    on fallen.node_id = same_timing_edges.left_node_id
                union all
                select same_timing_edges.left_node_id, fallen.component_id
                from components as fallen
                inner join same_timing_edges
                    on fallen.node_id = same_timing_edges.right_node_id
                union all
                -- a shortcut: the label of the report whose label it took (a chain is
                -- then closed in a number of rounds that grows with the log of its length)
                select fallen.node_id, shortcut.component_id
                from components as fallen
                inner join recurring.components as shortcut
                    on fallen.component_id = shortcut.node_id
            ) as offers
            inner join recurring.components as labelled
                on offers.node_id = labelled.node_id
            group by offers.node_id
            having min(offers.component_id) < any_value(labelled.component_id)
        )

    ),

    timed_components as (

        select components.node_id, components.component_id
        from components
        inner join mentions
            on components.node_id = mentions.node_id
        where mentions.start_time is not null

    ),

    -- an untimed group joins a timed event only when exactly one timed event fits it
    untimed_attachments as (

        select
            untimed.component_id as untimed_component_id,
            min(timed_components.component_id) as timed_component_id
        from matching_pairs
        inner join components as untimed
            on untimed.node_id = case when matching_pairs.is_timed
                then matching_pairs.right_node_id else matching_pairs.left_node_id end
        inner join timed_components
            on timed_components.node_id = case when matching_pairs.is_timed
                then matching_pairs.left_node_id else matching_pairs.right_node_id end
        where not matching_pairs.is_same_timing
        group by untimed.component_id
        having count(distinct timed_components.component_id) = 1

    ),

    clusters as (

        select
            mentions.event_mention_id,
            coalesce(untimed_attachments.timed_component_id, components.component_id) as component_id
        from components
        inner join mentions
            on components.node_id = mentions.node_id
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
{%- endmacro %}
