// Umbrella header: the whole public API of audience.
//
//   #include "audience/audience.h"
//   audience::Store store = *audience::Store::Create(schema);
//   audience::WriteBatch batch(now);
//   batch.Tag(audience::ExternalId::Str("u1"), "interest", "fashion");
//   store.Apply(batch);
#ifndef AUDIENCE_AUDIENCE_H_
#define AUDIENCE_AUDIENCE_H_

#include "audience/base/config.h"
#include "audience/base/duration.h"
#include "audience/base/status_macros.h"
#include "audience/base/types.h"
#include "audience/classify/bgnbd.h"
#include "audience/classify/customer_summary.h"
#include "audience/classify/gamma_gamma.h"
#include "audience/classify/mle.h"
#include "audience/classify/pareto_nbd.h"
#include "audience/classify/rfm.h"
#include "audience/classify/rfm_segments.h"
#include "audience/ids/external_id.h"
#include "audience/ids/id_map.h"
#include "audience/io/csv_reader.h"
#include "audience/io/field_parse.h"
#include "audience/io/importer.h"
#include "audience/query/ast.h"
#include "audience/query/binder.h"
#include "audience/query/bound.h"
#include "audience/query/diagnostic.h"
#include "audience/query/executor.h"
#include "audience/query/lexer.h"
#include "audience/query/optimizer.h"
#include "audience/query/parser.h"
#include "audience/query/plan.h"
#include "audience/query/query.h"
#include "audience/query/segment.h"
#include "audience/query/suggest.h"
#include "audience/query/token.h"
#include "audience/schema/column_values.h"
#include "audience/schema/schema.h"
#include "audience/schema/schema_json.h"
#include "audience/schema/value.h"
#include "audience/sql/export.h"
#include "audience/sql/sql_compiler.h"
#include "audience/storage/attribute_column.h"
#include "audience/storage/bit_sliced_index.h"
#include "audience/storage/bitmap.h"
#include "audience/storage/event_index.h"
#include "audience/storage/source.h"
#include "audience/storage/tag_dimension.h"
#include "audience/store/column_block.h"
#include "audience/store/snapshot.h"
#include "audience/store/store.h"
#include "audience/store/tag_options.h"
#include "audience/store/write_batch.h"

#endif  // AUDIENCE_AUDIENCE_H_
