{#- The query, run one bucket of blocks at a time, is in macros/event_deduplication.sql; the
    bucket count reads the clustering's inputs: -#}
-- depends_on: {{ ref('stg_raw__event_mentions') }}
-- depends_on: {{ ref('int_event_groups_affected') }}
{{ config(post_hook="{{ insert_event_deduplicated_buckets() }}") }}

{{ events_deduplicated(0, event_cluster_bucket_count()) }}
