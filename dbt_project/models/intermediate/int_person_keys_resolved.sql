{#- Resolution rules: see the model description in _intermediate.yml. -#}
with

person_mentions as (

    select * from {{ ref('stg_raw__person_mentions') }}

),

event_participants as (

    select * from {{ ref('stg_raw__event_participants') }}

),

name_keys as (

    select name_key from person_mentions
    union
    select name_key from event_participants

),

full_name_keys as (

    select
        name_key,
        regexp_extract(name_key, '(\S+)$', 1) as surname_key
    from name_keys
    where contains(name_key, ' ')

),

surname_links as (

    -- a lone surname ("putin") links to a full name only when exactly one full name
    -- with that surname exists anywhere in the corpus
    select
        lone_keys.name_key,
        min(full_name_keys.name_key) as linked_name_key
    from name_keys as lone_keys
    inner join full_name_keys
        on lone_keys.name_key = full_name_keys.surname_key
    where not contains(lone_keys.name_key, ' ')
    group by lone_keys.name_key
    having count(distinct full_name_keys.name_key) = 1

),

final as (

    select
        name_keys.name_key,
        coalesce(surname_links.linked_name_key, name_keys.name_key) as person_key,
        surname_links.linked_name_key is not null as is_surname_link,
        {{ surrogate_key('person', ['coalesce(surname_links.linked_name_key, name_keys.name_key)']) }}
            as person_id
    from name_keys
    left join surname_links
        on name_keys.name_key = surname_links.name_key

)

select * from final
