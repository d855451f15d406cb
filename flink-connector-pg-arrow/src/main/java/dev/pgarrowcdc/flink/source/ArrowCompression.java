package dev.pgarrowcdc.flink.source;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/** Body compression of the Arrow record batches wal2arrow sends (its option {@code compression}). */
public enum ArrowCompression implements DescribedEnum {
    NONE("none", "Uncompressed: cheapest on CPU, best on a fast local network."),
    LZ4("lz4", "LZ4 frame: fast, a good default over a slower network."),
    ZSTD("zstd", "Zstandard: smaller than LZ4, more CPU on both ends.");

    private final String value;
    private final String description;

    ArrowCompression(String value, String description) {
        this.value = value;
        this.description = description;
    }

    /** The plugin's option value. */
    public String value() {
        return value;
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
