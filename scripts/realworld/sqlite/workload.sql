-- 100k rows, indexes, joins, aggregates, window functions, CTEs, JSON, views, triggers
.headers on
.mode list
PRAGMA journal_mode = WAL;
CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, score REAL);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer(id), amount INTEGER, note TEXT);
CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT, n INTEGER);
CREATE TRIGGER orders_ins AFTER INSERT ON orders WHEN new.amount > 9990 BEGIN
  INSERT INTO audit(what, n) VALUES ('big order', new.id);
END;
CREATE TRIGGER customer_upd AFTER UPDATE OF score ON customer BEGIN
  INSERT INTO audit(what, n) VALUES ('score ' || old.score || '->' || new.score, new.id);
END;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000)
INSERT INTO customer SELECT i, 'cust' || i, 'city' || (i % 37), (i * 7919 % 1000) / 10.0 FROM c;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000)
INSERT INTO orders SELECT i, (i * 104729) % 10000 + 1, (i * 7907) % 10000, printf('order-%06d', i) FROM c;
COMMIT;
SELECT count(*), sum(amount), min(amount), max(amount) FROM orders;
SELECT count(*) FROM audit;
CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX customer_city ON customer(city, score);
EXPLAIN QUERY PLAN SELECT * FROM orders o JOIN customer c ON c.id = o.customer_id WHERE c.city = 'city3';
SELECT c.city, count(*) AS n, sum(o.amount) AS total, round(avg(o.amount), 3) AS avg
  FROM orders o JOIN customer c ON c.id = o.customer_id GROUP BY c.city ORDER BY total DESC LIMIT 5;
SELECT c.name, count(o.id) FROM customer c LEFT JOIN orders o ON o.customer_id = c.id
  GROUP BY c.id HAVING count(o.id) = 0 ORDER BY c.id LIMIT 3;
SELECT id, amount, rank() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS r,
       sum(amount) OVER (PARTITION BY customer_id ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s
  FROM orders WHERE customer_id = 42 ORDER BY id LIMIT 8;
WITH RECURSIVE fib(a, b, n) AS (SELECT 0, 1, 0 UNION ALL SELECT b, a + b, n + 1 FROM fib WHERE n < 80)
SELECT max(a) FROM fib;
SELECT json_object('id', id, 'name', name, 'tags', json_array(city, score)) FROM customer WHERE id IN (1, 2, 3) ORDER BY id;
SELECT json_extract('{"a":[1,2,{"b":"x"}]}', '$.a[2].b'), json_array_length('[1,2,3,4]');
SELECT key, value FROM json_each('{"x":1,"y":[2,3],"z":null}') ORDER BY key;
CREATE VIEW top_customers AS SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id ORDER BY total DESC LIMIT 3;
SELECT * FROM top_customers;
UPDATE customer SET score = score + 1 WHERE id % 1000 = 0;
SELECT count(*), min(what), max(what) FROM audit;
DELETE FROM orders WHERE amount < 100;
SELECT count(*) FROM orders;
SELECT substr(note, 1, 8), length(note), upper(note), hex(note) FROM orders ORDER BY id LIMIT 2;
SELECT group_concat(city, ',') FROM (SELECT DISTINCT city FROM customer ORDER BY city LIMIT 5);
SELECT typeof(1), typeof(1.5), typeof('x'), typeof(x'00'), typeof(NULL), 7 / 2, 7 % 3, 1e308 * 10, -9223372036854775808 - 1;
SELECT date('2024-02-28', '+1 day'), strftime('%Y-%j', '2023-12-31'), julianday('2000-01-01');
SELECT quote(zeroblob(4)), length(randomblob(16)), printf('%5.2f|%-4d|%x', 3.14159, 42, 255);
ANALYZE;
SELECT tbl, idx FROM sqlite_stat1 ORDER BY tbl, idx;
PRAGMA integrity_check;
VACUUM;
PRAGMA wal_checkpoint(TRUNCATE);
SELECT count(*) FROM orders;
