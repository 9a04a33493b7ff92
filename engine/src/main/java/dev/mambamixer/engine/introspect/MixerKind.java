package dev.mambamixer.engine.introspect;

import java.util.Locale;

/**
 * What a mixer mixes (MODEL.md §4): the TSM2 time (token) and variate (channel) mixers, and the
 * teaching model's token and channel mixers. {@link #label()} is the word used in parameter names
 * ({@code blocks.0.time}) and in capture files.
 */
public enum MixerKind {
    /** TSM2 token mixer: mixes along time (patches). */
    TIME("time", true),
    /** TSM2 channel mixer: mixes across variates. */
    VARIATE("variate", false),
    /** Teaching model's token mixer: mixes along the sequence. */
    TOKEN("token", true),
    /** Teaching model's channel mixer: mixes across model channels. */
    CHANNEL("channel", false);

    private final String label;
    private final boolean tokenMixer;

    MixerKind(String label, boolean tokenMixer) {
        this.label = label;
        this.tokenMixer = tokenMixer;
    }

    /** "time", "variate", "token" or "channel". */
    public String label() { return label; }

    /** True for the mixers along the sequence (time, token); false for channel mixers (variate, channel). */
    public boolean tokenMixer() { return tokenMixer; }

    /** The kind named by {@link #label()} (case-insensitive). */
    public static MixerKind of(String label) {
        for (MixerKind k : values()) if (k.label.equalsIgnoreCase(label)) return k;
        throw new IllegalArgumentException("unknown mixer kind '" + label + "' (expected time, variate, token or channel)");
    }

    @Override public String toString() { return label.toLowerCase(Locale.ROOT); }
}
