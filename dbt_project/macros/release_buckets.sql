{#-
  fct_releases, one bucket of its work set at a time (hash(release_id) % N). Each row joins
  a release to the text of its latest version; over every release of a large archive that
  join ran out of DuckDB's 600 MB pool (1,000,000 releases, ~3 GB of text). The pre-hook
  deletes the whole work set first, the model's own query builds bucket 0, and the post-hook
  inserts the others in the same transaction: the rows are those of one bucket.
-#}

{#- One bucket per `release_bucket_releases` releases of the work set (a var, 50,000 by
    default); one when not building (macros/buckets.sql). -#}
{% macro release_bucket_count() -%}
    {{ return(bucket_count(
        "select count(*) from " ~ ref('int_releases_windowed'),
        var('release_bucket_releases', 50000))) }}
{%- endmacro %}

{% macro in_release_bucket(bucket, bucket_count) -%}
    hash(release_id) % {{ bucket_count }} = {{ bucket }}
{%- endmacro %}

{#- The rows of the work set's releases whose hash(release_id) % bucket_count is bucket (all
    of them when bucket_count is 1). -#}
{% macro fct_releases_rows(bucket, bucket_count) -%}
    with

    releases as (

        select * from {{ ref('int_releases_latest') }}
        {%- if bucket_count > 1 %}
        where {{ in_release_bucket(bucket, bucket_count) }}
        {%- endif %}

    ),

    -- every input filtered to the bucket: a hash join's build side then holds one bucket's
    -- texts, whichever side the planner builds on
    release_versions as (

        select * from {{ ref('stg_raw__releases') }}
        {%- if bucket_count > 1 %}
        where {{ in_release_bucket(bucket, bucket_count) }}
        {%- endif %}

    ),

    work_set as (

        select * from {{ ref('int_releases_windowed') }}
        {%- if bucket_count > 1 %}
        where {{ in_release_bucket(bucket, bucket_count) }}
        {%- endif %}

    ),

    final as (

        select
            releases.release_id,
            releases.source,
            releases.source_name,
            release_versions.url,
            release_versions.title,
            release_versions.summary,
            release_versions.body_text,
            releases.release_type,
            releases.language,
            releases.published_at,
            releases.published_date,
            releases.is_truncated,
            case
                when trim(release_versions.body_text) = '' then 0
                else len(string_split_regex(trim(release_versions.body_text), '\s+'))
            end as word_count,
            releases.content_hash,
            releases.version_count,
            releases.fetched_at,
            releases.extractor_version,
            -- additive (CHANGELOG 2.0.0): how many arrivals (channels, copies) this release has
            releases.sighting_count
        from releases
        inner join work_set
            on releases.release_id = work_set.release_id
        -- the text of the latest version, read for the work set only
        inner join release_versions
            on releases.release_id = release_versions.release_id
            and releases.release_version = release_versions.release_version

    )

    select * from final
{%- endmacro %}
