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
package dev.pgarrowcdc.flink.source;

import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

import static org.apache.flink.configuration.description.TextElement.text;

/**
 * {@code ssl.mode}: libpq's and pgjdbc's {@code sslmode}, with the same names and meanings. The
 * default, {@link #VERIFY_FULL}, encrypts and accepts only a server whose certificate chains to a
 * trusted root and names the host the source connects to: the only mode in which a man in the
 * middle is refused.
 */
public enum SslMode implements DescribedEnum {
    DISABLE(
            "disable",
            "No TLS: the password (or its SCRAM exchange) and every row cross the"
                    + " network in the clear. Only for a server on the same host or a trusted network."),
    ALLOW("allow", "Plain first; TLS only if the server insists. Verifies nothing."),
    PREFER(
            "prefer",
            "TLS when the server offers it, else plain. Verifies nothing (pgjdbc's own"
                    + " default): a man in the middle is accepted."),
    REQUIRE("require", "TLS or no connection, but the certificate is not verified."),
    VERIFY_CA(
            "verify-ca",
            "TLS, and the server's certificate must chain to 'ssl.root-cert' (or"
                    + " the JVM's trust store); its host name is not checked."),
    VERIFY_FULL(
            "verify-full",
            "TLS, the certificate must chain to 'ssl.root-cert' (or the JVM's"
                    + " trust store) and name 'hostname'.");

    private final String value;
    private final String description;

    SslMode(String value, String description) {
        this.value = value;
        this.description = description;
    }

    /** The option value, also pgjdbc's {@code sslmode}, e.g. {@code verify-full}. */
    public String value() {
        return value;
    }

    /** Whether the server's certificate is checked against a root certificate. */
    public boolean verifies() {
        return this == VERIFY_CA || this == VERIFY_FULL;
    }

    @Override
    public String toString() {
        return value;
    }

    @Override
    public InlineElement getDescription() {
        return text(description);
    }
}
