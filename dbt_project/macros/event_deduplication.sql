{#-
  Events from clustered reports (int_events_deduplicated), one bucket of blocks at a time, as
  the clustering itself (macros/event_clustering.sql): an event never leaves its block, so
  buckets of blocks (hash(event_group_key) % N) give the same rows as one bucket. At the
  1,000,000-release density (~2.3 million reports) one aggregate over every report ran out
  of DuckDB's 600 MB pool.
-#}

{#- One bucket per `event_cluster_bucket_reports` clustered reports (the clustering's var);
    one when not building (macros/buckets.sql). -#}
{% macro event_deduplicated_bucket_count() -%}
    {{ return(bucket_count(
        "select count(*) from " ~ ref('int_event_mentions_clustered'),
        var('event_cluster_bucket_reports', 100000))) }}
{%- endmacro %}

{#- The events of the clustered reports whose hash(event_group_key) % bucket_count is bucket
    (all of them when bucket_count is 1). -#}
{% macro events_deduplicated(bucket, bucket_count) -%}
    with

    clustered_mentions as (

        select * from {{ ref('int_event_mentions_clustered') }}
        {%- if bucket_count > 1 %}
        where hash(event_group_key) % {{ bucket_count }} = {{ bucket }}
        {%- endif %}

    ),

    locations as (

        select * from {{ ref('int_locations_resolved') }}

    ),

    release_places as (

        select * from {{ ref('int_release_places') }}

    ),

    ranked_mentions as (

        select
            clustered_mentions.*,
            -- the most precise place any report gives (a venue inside the city another names)
            case locations.precision
                when 'venue' then 1 when 'city' then 2 when 'region' then 3
                when 'country' then 4 when 'supranational' then 5
            end as place_rank
        from clustered_mentions
        left join locations
            on clustered_mentions.location_id = locations.location_id

    ),

    events as (

        select
            event_id,
            arg_min(release_id, cluster_position) as release_id,
            any_value(event_group_key) as event_group_key,
            any_value(event_type) as event_type,
            arg_min(description, cluster_position) filter (where description is not null) as description,
            any_value(start_date) as start_date,
            nullif(
                arg_min(end_date, cluster_position) filter (where end_date is not null),
                any_value(start_date)
            ) as end_date,
            arg_min(date_precision, cluster_position) as date_precision,
            -- time, zone and UTC instant come together from the first report that gives a time
            arg_min(start_time, cluster_position) filter (where start_time is not null) as start_time,
            arg_min(timezone_label, cluster_position) filter (where start_time is not null) as timezone,
            arg_min(starts_at, cluster_position) filter (where start_time is not null) as starts_at,
            arg_min(location_id, place_rank * 1000000 + cluster_position) filter (where location_id is not null)
                as stated_location_id,
            arg_min(evidence_start, cluster_position) as evidence_start,
            arg_min(evidence_end, cluster_position) as evidence_end,
            count(*) as mention_count,
            count(distinct release_id) as release_count,
            list_sort(list_distinct(list(release_id))) as release_ids
        from ranked_mentions
        group by event_id

    ),

    final as (

        select
            events.* exclude (stated_location_id),
            -- no report names a place: the representative release's implied place, if any
            coalesce(events.stated_location_id, release_places.location_id) as location_id,
            events.stated_location_id is null and release_places.location_id is not null
                as is_location_inferred
        from events
        left join release_places
            on events.release_id = release_places.release_id

    )

    select * from final
{%- endmacro %}
