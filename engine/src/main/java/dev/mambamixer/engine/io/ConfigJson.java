package dev.mambamixer.engine.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * JSON of configs (config.json, capture files): enums are written as their {@code toString()}
 * token (e.g. {@code "post-conv"}, {@code "identity"}, {@code "I1"}) and read back from the token
 * or the constant's name, case-insensitively, so files stay readable by people and by older runs;
 * an unknown token names the allowed ones.
 */
public final class ConfigJson {
    private ConfigJson() {}

    /** A builder with the enum tokens and non-finite doubles allowed. */
    public static GsonBuilder builder() {
        return new GsonBuilder().registerTypeAdapterFactory(ENUM_TOKENS).serializeSpecialFloatingPointValues();
    }

    /** Parses {@code token} as a constant of {@code type} (by token or name, any case). */
    public static <E extends Enum<E>> E parse(Class<E> type, String token, String field) {
        String t = token == null ? "" : token.trim();
        for (E c : type.getEnumConstants())
            if (c.toString().equalsIgnoreCase(t) || c.name().equalsIgnoreCase(t.replace('-', '_'))) return c;
        throw new IllegalArgumentException(field + ": unknown value '" + token + "' (expected "
            + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", ")) + ")");
    }

    private static final TypeAdapterFactory ENUM_TOKENS = new TypeAdapterFactory() {
        @Override @SuppressWarnings({"unchecked", "rawtypes"})
        public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
            Class<? super T> raw = type.getRawType();
            if (!raw.isEnum()) return null;
            Class<? extends Enum> enumType = (Class<? extends Enum>) raw;
            return (TypeAdapter<T>) new TypeAdapter<Enum>() {
                @Override public void write(JsonWriter out, Enum value) throws IOException {
                    if (value == null) out.nullValue();
                    else out.value(value.toString());
                }

                @Override public Enum read(JsonReader in) throws IOException {
                    if (in.peek() == JsonToken.NULL) {
                        in.nextNull();
                        return null;
                    }
                    String s = in.nextString();
                    try {
                        return parse(enumType, s, enumType.getSimpleName().toLowerCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new JsonParseException(e.getMessage(), e);
                    }
                }
            };
        }
    };

    /** Pretty-printed config JSON (declared after the adapter it uses: static fields initialise in order). */
    public static final Gson GSON = builder().setPrettyPrinting().create();
}
