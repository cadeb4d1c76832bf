-- .bail on: the first error ends the shell with exit status 1
.bail on
CREATE TABLE t(x INTEGER PRIMARY KEY);
INSERT INTO t VALUES (1);
SELECT 'before';
INSERT INTO t VALUES (1);
SELECT 'never';
