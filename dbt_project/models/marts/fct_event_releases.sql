-- depends_on: {{ ref('int_event_groups_affected') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_mention_id',
    on_schema_change='fail',
    pre_hook="{{ delete_work_set_event_groups('event_group_key') }}"
) }}

with

clustered_mentions as (

    select * from {{ ref('int_event_mentions_clustered') }}

),

final as (

    select
        event_mention_id,
        event_id,
        release_id,
        is_representative,
        event_group_key,
        evidence_start,
        evidence_end
    from clustered_mentions

)

select * from final
