{#- The query, run one bucket of blocks at a time, is in macros/event_deduplication.sql. -#}
{{ config(post_hook="{{ insert_event_deduplicated_buckets() }}") }}

{{ events_deduplicated(0, event_deduplicated_bucket_count()) }}
