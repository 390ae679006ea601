{#-
  Pre-hooks of the incremental marts. `delete+insert` deletes target rows whose unique key
  is in the new batch; these hooks also delete rows whose key is *not* in the new batch but
  belongs to the work set (a mention the extractor no longer finds, an event merged into
  another one, a release that vanished), so an incremental run ends exactly where a full
  refresh would. They render to nothing on the first run and under --full-refresh.
-#}

{% macro delete_work_set_releases() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where release_id in (select release_id from {{ ref('int_releases_windowed') }})
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of int_person_mentions_resolved and int_event_participants_resolved. -#}
{% macro delete_person_releases_affected() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where release_id in (select release_id from {{ ref('int_person_releases_affected') }})
    {%- endif -%}
{%- endmacro %}

{% macro delete_work_set_event_groups(event_group_key_expression) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ event_group_key_expression }}
            in (select event_group_key from {{ ref('int_event_groups_affected') }})
    {%- endif -%}
{%- endmacro %}

{#- The title a person held on an event's date, from int_person_roles (= dim_people_roles).
    `appearances` is a relation or subquery with appearance_id, person_id, event_date.
    A span that contains the date wins, a known office (seed) before an observed one; with
    none, the observed span nearest in time. A known office that does not contain the
    date is never used (we know the person did not hold it then). -#}
{% macro appearance_titles(appearances) -%}
    select
        appearance_id,
        title as title_at_event
    from (
        select
            appearances.appearance_id,
            roles.title,
            row_number() over (
                partition by appearances.appearance_id
                order by
                    (roles.valid_from <= appearances.event_date
                        and coalesce(roles.valid_to, date '9999-12-31') >= appearances.event_date) desc,
                    roles.is_known_office desc,
                    least(
                        abs(date_diff('day', roles.valid_from, appearances.event_date)),
                        abs(date_diff('day', coalesce(roles.valid_to, roles.valid_from), appearances.event_date))
                    ),
                    roles.valid_from desc,
                    roles.title
            ) as title_rank
        from {{ appearances }} as appearances
        inner join {{ ref('int_person_roles') }} as roles
            on appearances.person_id = roles.person_id
        where not roles.is_known_office
            or (roles.valid_from <= appearances.event_date
                and coalesce(roles.valid_to, date '9999-12-31') >= appearances.event_date)
    ) as ranked_titles
    where title_rank = 1
{%- endmacro %}

{#- fct_appearances: drop appearances of events that this run rebuilt or removed
    (fct_events has already been updated: the model depends on it). -#}
{% macro delete_stale_appearances() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where event_id in (select event_id from {{ ref('int_events_deduplicated') }})
            or event_id not in (select event_id from {{ ref('fct_events') }})
    {%- endif -%}
{%- endmacro %}

{#- fct_appearances: role history can change when new releases arrive (a new title seen, a
    span closed), so re-derive title_at_event for the people whose spans changed: those whose
    (title, valid_from, valid_to, is_known_office) rows, all that `appearance_titles` ranks
    on, differ between int_person_roles and dim_people_roles as the last run left it
    (dim_people_roles is rebuilt after this model: it depends on it). A person seen again
    with the titles they already hold changes nothing, nor does a new span of the one title
    a person has ever held. Without that previous table every appearance is re-derived. -#}
{% macro refresh_appearance_titles() -%}
    {%- if is_incremental() -%}
        {%- set previous_roles = previous_relation('dim_people_roles') -%}
        {%- set role_columns = 'person_id, title, valid_from, valid_to, is_known_office' -%}
        {%- if previous_roles is none -%}
            {%- set changed_people = 'select person_id from ' ~ this -%}
        {%- else -%}
            {%- set changed_people -%}
                select person_id from (
                    (select {{ role_columns }} from {{ ref('int_person_roles') }}
                     except select {{ role_columns }} from {{ previous_roles }})
                    union all
                    (select {{ role_columns }} from {{ previous_roles }}
                     except select {{ role_columns }} from {{ ref('int_person_roles') }})
                ) as changed_roles
                where person_id not in (
                    -- one title on every span, before and after, and an observed span on
                    -- each side (always eligible): every appearance keeps that title
                    select person_id from (
                        select 'now' as side, person_id, title, is_known_office
                        from {{ ref('int_person_roles') }}
                        union all
                        select 'before' as side, person_id, title, is_known_office
                        from {{ previous_roles }}
                    ) as spans
                    group by person_id
                    having count(distinct title) = 1 and count(title) = count(*)
                        and bool_or(side = 'now' and not is_known_office)
                        and bool_or(side = 'before' and not is_known_office)
                )
            {%- endset -%}
        {%- endif -%}
        {%- set appearances -%}
            (select appearances.appearance_id, appearances.person_id, events.start_date as event_date
             from {{ this }} as appearances
             inner join {{ ref('fct_events') }} as events
                 on appearances.event_id = events.event_id
             where appearances.person_id in ({{ changed_people }}))
        {%- endset %}
        update {{ this }} as target
        set title_at_event = refreshed.title_at_event
        from (
            -- a person left with no span at all gets no title, as in a full build
            select appearances.appearance_id, titles.title_at_event
            from {{ appearances }} as appearances
            left join ({{ appearance_titles(appearances) }}) as titles
                on appearances.appearance_id = titles.appearance_id
        ) as refreshed
        where target.appearance_id = refreshed.appearance_id
            and target.title_at_event is distinct from refreshed.title_at_event
    {%- endif -%}
{%- endmacro %}
