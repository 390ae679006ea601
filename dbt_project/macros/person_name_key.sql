{#-
  The person resolution key: a full name lower-cased, accents stripped (Novák = Novak),
  leading honorifics removed (Mr, Ms, Dr, H.E., His Majesty ...), punctuation dropped and
  whitespace collapsed. Different people who share a surname keep different keys.
-#}
{% macro person_name_key(expression) -%}
    nullif(trim(regexp_replace(
        regexp_replace(
            regexp_replace(
                replace(replace(replace(replace(replace(replace(replace(
                    strip_accents(lower(trim({{ expression }}))),
                    'ø', 'o'), 'ł', 'l'), 'đ', 'd'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'ı', 'i'),
                '^((mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|madam|madame|monsieur|herr|frau|h\.\s*e|his excellency|her excellency|his majesty|her majesty|his royal highness|her royal highness|his highness|her highness)\.?\s+)+',
                ''
            ),
            '[^a-z0-9\s-]', '', 'g'
        ),
        '\s+', ' ', 'g'
    )), '')
{%- endmacro %}
