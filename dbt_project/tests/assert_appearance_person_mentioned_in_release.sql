-- Every appearance's person is mentioned (fct_person_mentions) in the release the
-- appearance cites. Returns the offending appearances.
with

appearances as (

    select * from {{ ref('fct_appearances') }}

),

person_mentions as (

    select * from {{ ref('fct_person_mentions') }}

),

final as (

    select appearances.*
    from appearances
    left join person_mentions
        on appearances.release_id = person_mentions.release_id
        and appearances.person_id = person_mentions.person_id
    where person_mentions.person_mention_id is null

)

select * from final
