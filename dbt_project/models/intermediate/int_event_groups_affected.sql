{%- set previous_lineage = previous_relation('fct_event_releases') -%}

with

work_set as (

    select * from {{ ref('int_releases_windowed') }}

),

event_mentions as (

    select * from {{ ref('stg_raw__event_mentions') }}

),

-- groups the work set's releases report now
current_groups as (

    select event_mentions.event_group_key
    from event_mentions
    inner join work_set
        on event_mentions.release_id = work_set.release_id

),

{% if previous_lineage is not none %}
-- groups the work set's releases contributed to before this run (a re-extracted release
-- may have moved its event to another date, type or place: its old group must be rebuilt)
previous_groups as (

    select previous_lineage.event_group_key
    from {{ previous_lineage }} as previous_lineage
    inner join work_set
        on previous_lineage.release_id = work_set.release_id

),
{% else %}
previous_groups as (select cast(null as varchar) as event_group_key where false),
{% endif %}

final as (

    select event_group_key from current_groups
    union
    select event_group_key from previous_groups

)

select * from final
