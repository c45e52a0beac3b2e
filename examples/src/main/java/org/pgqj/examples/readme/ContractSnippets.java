package org.pgqj.examples.readme;

import java.nio.file.Path;
import java.util.List;
import org.pgqj.examples.blog.IndexArticle;
import org.pgqj.payload.ContractViolation;
import org.pgqj.payload.PayloadCodec;
import org.pgqj.payload.PayloadContract;
import org.pgqj.payload.PayloadContracts;
import org.pgqj.payload.PayloadException;

final class ContractSnippets {

    private ContractSnippets() {
    }

    static void export(ClassLoader loader, byte[] payloadFromPython) {
        // tag::export[]
        PayloadCodec codec = PayloadCodec.defaults();                  // or the codec your workers use
        List<PayloadContract> contracts = PayloadContracts.of(codec,
                PayloadContracts.find(loader, List.of("com.example.jobs"))); // packages or classes

        PayloadContracts.write(Path.of("contracts"), contracts);      // <entrypoint>.schema.json each
        List<String> stale = PayloadContracts.differences(Path.of("contracts"), contracts); // empty when current

        PayloadContract contract = codec.contract(IndexArticle.class);
        contract.schema();                                             // the JSON Schema (draft 2020-12)
        List<ContractViolation> problems = contract.validate(payloadFromPython); // $.articleId: required, missing
        // end::export[]
        if (!stale.isEmpty() || !problems.isEmpty()) {
            throw new PayloadException("contracts: " + stale + problems, problems);
        }
    }
}
