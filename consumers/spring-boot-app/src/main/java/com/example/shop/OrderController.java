package com.example.shop;

import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class OrderController {

    private final Orders orders;

    public OrderController(Orders orders) {
        this.orders = orders;
    }

    @PostMapping("/orders")
    public ResponseEntity<Map<String, Object>> place(@RequestParam String item,
            @RequestParam(defaultValue = "false") boolean fail) {
        try {
            return ResponseEntity.ok(Map.of("id", orders.place(item, fail)));
        } catch (IllegalStateException declined) {
            return ResponseEntity.status(422).body(Map.of("error", declined.getMessage()));
        }
    }

    @GetMapping("/orders/{id}")
    public Map<String, Object> get(@PathVariable long id) {
        return Map.of("id", id, "status", orders.status(id));
    }
}
