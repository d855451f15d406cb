/*
 * Copyright 2026 the pg-arrow-cdc authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.pgarrowcdc.e2e.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/**
 * The demo's sample schema and a writer that keeps changing it: new customers and orders, order
 * status changes and amount corrections, cancelled orders deleted, sometimes several changes in one
 * transaction.
 */
final class ShopWriter implements Runnable {

    static final String[] SCHEMA = {
        "CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, city text)",
        "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL,"
                + " amount numeric(10,2) NOT NULL, status text NOT NULL,"
                + " updated_at timestamptz NOT NULL DEFAULT now())",
        // -U rows carry the old values only when the old row image is logged.
        "ALTER TABLE orders REPLICA IDENTITY FULL",
        "ALTER TABLE customers REPLICA IDENTITY FULL",
        "INSERT INTO customers (name, city) VALUES ('Ada', 'London'), ('Grace', 'Arlington'),"
                + " ('Edsger', 'Nuenen')",
        "INSERT INTO orders (customer_id, amount, status) VALUES (1, 42.50, 'new'),"
                + " (2, 7.99, 'paid'), (3, 120.00, 'new')",
    };

    private static final String[] NAMES = {
        "Alan",
        "Barbara",
        "Donald",
        "Frances",
        "John",
        "Leslie",
        "Margaret",
        "Niklaus",
        "Radia",
        "Tony"
    };
    private static final String[] CITIES = {"Zurich", "Boston", "Oslo", "Kyoto", "Lagos", "Lima"};
    private static final String[] STATUS = {"new", "paid", "shipped", "delivered"};

    private final Connection connection;
    private final Random random = new Random(7);

    ShopWriter(Connection connection) {
        this.connection = connection;
    }

    static void createSchema(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : SCHEMA) {
                st.execute(sql);
            }
        }
    }

    @Override
    public void run() {
        try {
            step();
        } catch (SQLException e) {
            System.err.println("demo writer: " + e.getMessage());
        }
    }

    private void step() throws SQLException {
        int dice = random.nextInt(10);
        if (dice < 4) {
            update(
                    "INSERT INTO orders (customer_id, amount, status) "
                            + "SELECT id, ?, 'new' FROM customers ORDER BY random() LIMIT 1",
                    amount());
        } else if (dice < 7) {
            update(
                    "UPDATE orders SET status = CASE status WHEN 'new' THEN 'paid' WHEN 'paid' "
                            + "THEN 'shipped' ELSE 'delivered' END, updated_at = now() "
                            + "WHERE id = (SELECT id FROM orders WHERE status <> 'delivered' "
                            + "ORDER BY random() LIMIT 1)");
        } else if (dice < 8) {
            update("DELETE FROM orders WHERE id = (SELECT min(id) FROM orders)");
        } else if (dice < 9) {
            update(
                    "INSERT INTO customers (name, city) VALUES (?, ?)",
                    NAMES[random.nextInt(NAMES.length)],
                    CITIES[random.nextInt(CITIES.length)]);
        } else {
            // Two changes in one transaction: a customer moves and places an order.
            connection.setAutoCommit(false);
            try {
                update(
                        "UPDATE customers SET city = ? WHERE id = (SELECT id FROM customers "
                                + "ORDER BY random() LIMIT 1)",
                        CITIES[random.nextInt(CITIES.length)]);
                update(
                        "INSERT INTO orders (customer_id, amount, status) VALUES "
                                + "((SELECT max(id) FROM customers), ?, ?)",
                        amount(),
                        STATUS[random.nextInt(STATUS.length)]);
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private java.math.BigDecimal amount() {
        return java.math.BigDecimal.valueOf(100 + random.nextInt(20_000), 2);
    }

    private void update(String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }
}
