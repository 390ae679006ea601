{#- The de-duplication rule is documented in _intermediate.yml (int_events_deduplicated);
    the query, run one bucket of blocks at a time, in macros/event_clustering.sql. -#}
{{ config(post_hook="{{ insert_buckets(event_mentions_clustered, event_cluster_bucket_count()) }}") }}

{{ event_mentions_clustered(0, event_cluster_bucket_count()) }}
