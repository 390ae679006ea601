with

clustered_mentions as (

    select * from {{ ref('int_event_mentions_clustered') }}

),

final as (

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
        any_value(location_id) as location_id,
        arg_min(evidence_start, cluster_position) as evidence_start,
        arg_min(evidence_end, cluster_position) as evidence_end,
        count(*) as mention_count,
        count(distinct release_id) as release_count,
        list_sort(list_distinct(list(release_id))) as release_ids
    from clustered_mentions
    group by event_id

)

select * from final
