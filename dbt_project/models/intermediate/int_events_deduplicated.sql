{#- The query, run one bucket of blocks at a time, is in macros/event_deduplication.sql. -#}
{{ config(post_hook="{{ insert_buckets(events_deduplicated, event_deduplicated_bucket_count()) }}") }}

{{ events_deduplicated(0, event_deduplicated_bucket_count()) }}
