package org.pgqj.web;

import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Reading the dashboard's pages in the browser tests: an element's text, a table's rows, a message to wait for. */
final class Pages {

    private Pages() {
    }

    static String text(ChromeDriver d, String id) {
        return d.findElement(By.id(id)).getText();
    }

    /**
     * The visible text of a table's rows (of a table or tbody by id; none when it is missing), cells joined by one
     * space, the "empty" row left out; read in one script call, as live updates replace rows.
     */
    static List<String> tableRows(ChromeDriver d, String id) {
        return firstCells(d, id, 1000);
    }

    /** As {@link #tableRows}, only the first {@code n} cells of each row. */
    @SuppressWarnings("unchecked")
    static List<String> firstCells(ChromeDriver d, String id, int n) {
        return (List<String>) d.executeScript("""
                var t = document.getElementById(arguments[0]);
                if (!t) { return []; }
                var rows = t.tagName === 'TBODY' ? t.rows : t.tBodies[0].rows;
                return Array.from(rows).filter(r => !r.classList.contains('empty'))
                  .map(r => Array.from(r.cells).slice(0, arguments[1]).map(c => c.innerText.trim()).join(' ')
                    .replace(/\\s+/g, ' ').trim());""", id, n);
    }

    /**
     * Waits until the page counted at least {@code n} pushed events in a body attribute ({@code data-live-events}:
     * queue snapshots, {@code data-chart-events}: chart updates); returns the count.
     */
    static int awaitEvents(ChromeDriver d, String attribute, int n) {
        new WebDriverWait(d, Duration.ofSeconds(15)).until(x ->
                Integer.parseInt(d.findElement(By.tagName("body")).getDomAttribute(attribute)) >= n);
        return Integer.parseInt(d.findElement(By.tagName("body")).getDomAttribute(attribute));
    }

    /**
     * Waits for the message of the page an action redirects to (a submit click returns before that page loads). A
     * flash element found on the page being left is gone from the document when the new one loads (Chrome says
     * "stale element" or "node does not belong to the document"): that is a look again, not a failure.
     */
    static void awaitFlash(ChromeDriver d, String expected) {
        awaitText(d, "flash", expected);
    }

    /** Waits until element {@code id} of the current page (or the one being loaded) reads exactly {@code expected}. */
    static void awaitText(ChromeDriver d, String id, String expected) {
        new WebDriverWait(d, Duration.ofSeconds(10)).ignoring(WebDriverException.class)
                .withMessage(() -> "page " + d.getCurrentUrl() + " shows no #" + id + " '" + expected + "'")
                .until(x -> x.findElements(By.id(id)).stream().anyMatch(e -> expected.equals(e.getText())));
    }
}
