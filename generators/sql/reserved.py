"""Reserved words per SQL target, from each vendor's keyword documentation (lower case)."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# MySQL 8.0 "Keywords and Reserved Words", the (R) entries; MariaDB reserves a near-identical set.
MYSQL = _words(
    """
    accessible add all alter analyze and as asc asensitive before between bigint binary blob both
    by call cascade case change char character check collate column condition constraint continue
    convert create cross cube cume_dist current_date current_time current_timestamp current_user
    cursor database databases day_hour day_microsecond day_minute day_second dec decimal declare
    default delayed delete dense_rank desc describe deterministic distinct distinctrow div double
    drop dual each else elseif empty enclosed escaped except exists exit explain false fetch
    first_value float float4 float8 for force foreign from fulltext function generated get grant
    group grouping groups having high_priority hour_microsecond hour_minute hour_second if ignore
    in index infile inner inout insensitive insert int int1 int2 int3 int4 int8 integer intersect
    interval into io_after_gtids io_before_gtids is iterate join json_table key keys kill lag
    last_value lateral lead leading leave left like limit linear lines load localtime
    localtimestamp lock long longblob longtext loop low_priority master_bind
    master_ssl_verify_server_cert match maxvalue mediumblob mediumint mediumtext middleint
    minute_microsecond minute_second mod modifies natural no_write_to_binlog not nth_value ntile
    null numeric of on optimize optimizer_costs option optionally or order out outer outfile over
    partition percent_rank precision primary procedure purge range rank read read_write reads real
    recursive references regexp release rename repeat replace require resignal restrict return
    revoke right rlike row row_number rows schema schemas second_microsecond select sensitive
    separator set show signal smallint spatial specific sql sql_big_result sql_calc_found_rows
    sql_small_result sqlexception sqlstate sqlwarning ssl starting stored straight_join system
    table terminated then tinyblob tinyint tinytext to trailing trigger true undo union unique
    unlock unsigned update usage use using utc_date utc_time utc_timestamp values varbinary varchar
    varcharacter varying virtual when where while window with write xor year_month zerofill
    """
)

# StarRocks "Keywords": the reserved ones (StarRocks' own grammar, not MySQL's list).
STARROCKS = _words(
    """
    add all alter analyze and array as asc between bigint bitmap both by case char character check
    collate column compaction convert create cross cube current_date current_role current_time
    current_timestamp current_user database databases decimal decimal128 decimal32 decimal64
    decimalv2 default deferred delete dense_rank desc describe distinct double drop dual else
    except exists explain false first_value float for force from full function grant group
    grouping grouping_id groups having hll host if ignore immediate in index infile inner insert
    int integer intersect into is join json key keys kill lag largeint last_value lateral lead
    left like limit load localtime localtimestamp maxvalue minus mod not ntile null on or order
    outer outfile over partition percentile primary procedure qualify range rank read regexp
    release rename replace revoke right rlike row row_number rows schema schemas select set
    set_var show smallint system table terminated text then tinyint to true union unique unsigned
    update use using values varchar when where with
    """
)

# PostgreSQL "SQL Key Words": reserved, and reserved-but-allowed-as-function-or-type.
POSTGRESQL = _words(
    """
    all analyse analyze and any array as asc asymmetric both case cast check collate column
    constraint create current_catalog current_date current_role current_time current_timestamp
    current_user default deferrable desc distinct do else end except false fetch for foreign from
    grant group having in initially intersect into lateral leading limit localtime localtimestamp
    not null offset on only or order placing primary references returning select session_user
    some symmetric system_user table then to trailing true union unique user using variadic when
    where window with
    authorization binary collation concurrently cross current_schema freeze full ilike inner is
    isnull join left like natural notnull outer overlaps right similar tablesample verbose
    """
)

# ClickHouse reserves few words (most keywords work as bare names); these break unquoted use.
CLICKHOUSE = _words(
    """
    all and any array as asc between by case cast desc distinct else end except false final
    format from full global group having in inner interval intersect is join left like limit
    not null offset on or order outer prewhere right select settings then to true union using
    when where with
    """
)
