/// A client's identification file: its checklist, documents, uploads, cotejo and periodic updates.
enum KYCTemplates {
    static let file = """
        {{<layout}}{{$body}}
        <h1>Expediente de {{displayName}}</h1>
        <p id="estado-expediente">{{#complete}}<strong>Expediente completo.</strong>{{/complete}}{{^complete}}<strong>Expediente incompleto</strong>{{#blocks}}: los créditos de este cliente no se disponen hasta completarlo{{/blocks}}.{{/complete}}
          Riesgo {{grade}} · política v{{policyVersion}} · última actualización {{lastUpdate}} · {{#overdue}}<strong>actualización vencida el {{updateDue}}</strong>{{/overdue}}{{^overdue}}próxima actualización {{updateDue}}{{/overdue}}</p>
        <table id="lista-verificacion"><thead><tr><th>Documento</th><th>Estado</th><th>Detalle</th></tr></thead><tbody>
          {{#items}}<tr class="{{state}}"><td>{{label}}</td><td>{{stateLabel}}</td><td>{{message}}</td></tr>{{/items}}
          {{#dataIssues}}<tr class="falta"><td>Datos del cliente</td><td>Falta</td><td>{{.}}</td></tr>{{/dataIssues}}
        </tbody></table>
        <h2>Documentos</h2>
        <table id="documentos"><thead><tr><th>Documento</th><th>Persona</th><th>Archivo</th><th>Emisión</th><th>Vigencia</th><th>Recibido</th><th>Estado</th><th></th></tr></thead><tbody>
          {{#documents}}<tr><td>{{kind}}</td><td>{{subject}}</td><td>{{#canOpen}}<a href="/clientes/{{clientId}}/expediente/{{id}}">{{fileName}}</a>{{/canOpen}}{{^canOpen}}{{fileName}}{{/canOpen}} ({{size}})</td>
            <td>{{issuedOn}}</td><td>{{expiresOn}}</td><td>{{receivedOn}} por {{uploadedBy}}</td><td>{{status}}{{#reason}}: {{reason}}{{/reason}}</td>
            <td>{{#canReview}}<form method="post" action="/clientes/{{clientId}}/expediente/{{id}}/cotejo" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Cotejado con el original</button></form>
              <form method="post" action="/clientes/{{clientId}}/expediente/{{id}}/rechazo" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input name="motivo" required minlength="3" placeholder="Motivo del rechazo"> <button type="submit">Rechazar</button></form>{{/canReview}}</td></tr>{{/documents}}
          {{^documents}}<tr><td colspan="8">El expediente no tiene documentos.</td></tr>{{/documents}}
        </tbody></table>
        {{#canManage}}
        <form method="post" action="/clientes/{{clientId}}/expediente" enctype="multipart/form-data" class="card" id="subir-documento">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <h2>Subir documento</h2>
          <label for="tipo">Documento</label><select id="tipo" name="tipo">{{#kinds}}<option value="{{value}}">{{label}}</option>{{/kinds}}</select>
          <label for="persona">De quién</label><select id="persona" name="persona">{{#subjects}}<option value="{{value}}">{{label}}</option>{{/subjects}}</select>
          <label for="emision">Fecha de emisión (comprobante de domicilio)</label><input id="emision" name="emision" type="date">
          <label for="vencimiento">Vigencia (identificaciones)</label><input id="vencimiento" name="vencimiento" type="date">
          <label for="archivo">Archivo (PDF, JPEG o PNG; hasta 10 MB)</label><input id="archivo" name="archivo" type="file" accept="application/pdf,image/jpeg,image/png" required>
          <button type="submit">Subir</button>
        </form>
        <form method="post" action="/clientes/{{clientId}}/expediente/actualizacion" class="card" id="actualizar">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <h2>Actualización periódica</h2>
          <label for="nota">Qué se revisó con el cliente</label><input id="nota" name="nota" required minlength="3" maxlength="500">
          <button type="submit">Registrar actualización</button>
        </form>
        {{/canManage}}
        <p><a href="/clientes/{{clientId}}">Volver al cliente</a></p>
        {{/body}}{{/layout}}
        """
}
