-- known numbers of calls: abs() 1000 times, upper() 500 times, and a user error raised 3 times
CREATE TABLE t(x INTEGER, s TEXT);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000)
INSERT INTO t SELECT -i, 'row' || i FROM c;
SELECT sum(abs(x)) FROM t;
SELECT count(upper(s)) FROM t WHERE -x <= 500;
INSERT INTO t VALUES (1, 2, 3);
INSERT INTO t VALUES (1, 2, 3);
INSERT INTO t VALUES (1, 2, 3);
