package dev.mambamixer.notebooks;

import java.util.ArrayList;
import java.util.List;

/** A Display that keeps everything it was asked to show, as a kernel would. */
final class RecordingDisplay implements Display {
    final List<String> ids = new ArrayList<>();
    final List<Object> shown = new ArrayList<>();
    final List<String> updateIds = new ArrayList<>();
    final List<Object> updates = new ArrayList<>();
    final List<String> updateThreads = new ArrayList<>();

    @Override public synchronized String show(Object o) {
        String id = "id-" + ids.size();
        ids.add(id);
        shown.add(o);
        return id;
    }

    @Override public synchronized void update(String id, Object o) {
        updateIds.add(id);
        updates.add(o);
        updateThreads.add(Thread.currentThread().getName());
    }

    synchronized int updateCount() { return updates.size(); }

    synchronized Object lastUpdate() { return updates.get(updates.size() - 1); }
}
