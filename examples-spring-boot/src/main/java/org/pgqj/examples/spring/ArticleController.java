package org.pgqj.examples.spring;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /articles} drafts, {@code POST /articles/{id}/publish} publishes and enqueues index_article
 * ({@code ?fail=true} fails after the enqueue: nothing is published and no job is left),
 * {@code GET /articles/{id}} shows status and {@code indexedAt}.
 */
@RestController
@RequestMapping("/articles")
public class ArticleController {

    /** The body of {@code POST /articles}. */
    public record Draft(String title, String authorEmail) {
    }

    private final Articles articles;

    public ArticleController(Articles articles) {
        this.articles = articles;
    }

    @PostMapping
    public ResponseEntity<Map<String, Long>> draft(@RequestBody Draft draft) {
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("id", articles.draft(draft.title(), draft.authorEmail())));
    }

    @PostMapping("/{id}/publish")
    public Map<String, Long> publish(@PathVariable long id, @RequestParam(defaultValue = "false") boolean fail) {
        return Map.of("articleId", id, "jobId", articles.publish(id, fail));
    }

    @GetMapping("/{id}")
    public ResponseEntity<Articles.Article> get(@PathVariable long id) {
        return ResponseEntity.of(articles.find(id));
    }

    @ExceptionHandler(Articles.ArticleNotFoundException.class)
    public ResponseEntity<Map<String, String>> notFound(Articles.ArticleNotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(IllegalStateException.class)
    public ResponseEntity<Map<String, String>> failed(IllegalStateException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", e.getMessage()));
    }
}
