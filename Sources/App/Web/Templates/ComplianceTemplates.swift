/// The compliance officer's pages: list matches to review, PLD cases and their deadlines.
enum ComplianceTemplates {
    static let dashboard = """
        {{<layout}}{{$body}}
        <h1>Cumplimiento PLD</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        <p>Información confidencial: no la comparta con el cliente. Las listas se importan y los clientes se vuelven a filtrar con <code>cartera lists import</code>; los reportes para la UIF se generan con <code>cartera report uif</code>.</p>
        <table id="resumen"><tbody>
          <tr><td>Coincidencias en listas por revisar</td><td>{{pendingHits}}</td></tr>
          <tr><td>Casos abiertos o en análisis</td><td>{{openCases}}</td></tr>
          <tr><td>Casos por vencer</td><td>{{dueSoon}}</td></tr>
          <tr><td>Casos vencidos</td><td><strong>{{overdue}}</strong></td></tr>
          <tr><td>Casos dictaminados reportables sin reportar</td><td>{{toFile}}</td></tr>
          <tr><td>Operaciones relevantes del trimestre ({{quarter}})</td><td>{{relevantes}}</td></tr>
          <tr><td>Operaciones en efectivo sin tipo de cambio (cargue el FIX)</td><td>{{gaps}}</td></tr>
          <tr><td>Clientes con operaciones suspendidas</td><td>{{suspended}}</td></tr>
        </tbody></table>
        <h2>Coincidencias por revisar</h2>
        <table id="coincidencias"><thead><tr><th>Persona</th><th>Entrada de la lista</th><th>Puntaje</th><th>Encontrada</th><th>Revisión</th></tr></thead><tbody>
          {{#hits}}<tr><td>{{role}} «{{subject}}» · <a href="/clientes/{{client}}">{{client}}</a></td>
            <td>{{entry}} — {{list}} {{entryId}} ({{purpose}}); coincidió {{reason}}: {{matched}}</td><td>{{score}}</td><td>{{found}} ({{occasion}})</td>
            <td>{{#canManage}}<form method="post" action="/cumplimiento/coincidencias/{{id}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
              <label>Motivo <input name="nota" required minlength="5" placeholder="Datos que comparó"></label>
              <button type="submit" name="decision" value="confirmar">Es la persona</button> <button type="submit" name="decision" value="descartar">No es</button></form>{{/canManage}}</td></tr>{{/hits}}
          {{^hits}}<tr><td colspan="5">No hay coincidencias por revisar.</td></tr>{{/hits}}
        </tbody></table>
        <p><a href="/cumplimiento/reportes" id="ver-reportes">Reportes generados (UIF y Buró)</a></p>
        <h2>Grupos de clientes vinculados</h2>
        <table id="grupos"><thead><tr><th>Grupo</th><th>Clientes</th><th></th></tr></thead><tbody>
          {{#groups}}<tr><td><a href="/cumplimiento/vinculos/{{id}}">{{id}}</a></td><td>{{size}}</td><td>{{#flagged}}<strong>con cliente de alto riesgo</strong>{{/flagged}}</td></tr>{{/groups}}
          {{^groups}}<tr><td colspan="3">No hay grupos calculados; calcúlelos con <code>cartera relationships build</code>.</td></tr>{{/groups}}
        </tbody></table>
        <h2>Casos</h2>
        <table id="casos"><thead><tr><th>Caso</th><th>Tipo</th><th>Estado</th><th>Detectado</th><th>Vence</th><th>Plazo</th><th>Cliente</th></tr></thead><tbody>
          {{#cases}}<tr><td><a href="/cumplimiento/casos/{{id}}">{{id}}</a></td><td>{{kind}}</td><td>{{status}}</td><td>{{detected}}</td><td>{{due}}</td><td>{{urgency}}</td><td>{{client}}</td></tr>{{/cases}}
          {{^cases}}<tr><td colspan="7">No hay casos.</td></tr>{{/cases}}
        </tbody></table>
        {{/body}}{{/layout}}
        """

    static let caseDetail = """
        {{<layout}}{{$body}}
        <h1>{{kind}} {{id}}</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        <p id="estado">Estado: <strong>{{status}}</strong>{{#decision}} ({{decision}}){{/decision}} · Detectado {{detected}} · Vence {{due}} · <strong>{{urgency}}</strong>{{#filingDue}} · Reportar a más tardar el {{filingDue}}{{/filingDue}}</p>
        {{#client}}<p>Cliente: <a href="/clientes/{{client}}">{{client}}</a></p>{{/client}}{{#subject}}<p>Persona: {{subject}}</p>{{/subject}}
        <p id="resumen">{{summary}}</p>
        {{#decisionNote}}<p id="dictamen">Dictamen: {{decisionNote}}</p>{{/decisionNote}}
        {{#reference}}<p>Reportado con folio {{reference}}.</p>{{/reference}}
        <h2>Alertas</h2>
        <table id="alertas"><thead><tr><th>Regla</th><th>Operación</th><th>Observado</th><th>Límite</th><th>Detalle</th></tr></thead><tbody>
          {{#alerts}}<tr><td>{{rule}}</td><td>{{operation}}</td><td>{{observed}}</td><td>{{limit}}</td><td>{{message}}</td></tr>{{/alerts}}
          {{^alerts}}<tr><td colspan="5">El caso no viene de alertas de monitoreo.</td></tr>{{/alerts}}
        </tbody></table>
        {{#canManage}}
        {{#canAnalyze}}<form method="post" action="/cumplimiento/casos/{{id}}" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="paso" value="analizar">
          <label>Nota <input name="nota"></label> <button type="submit">Pasar a análisis</button></form>{{/canAnalyze}}
        {{#canDecide}}<form method="post" action="/cumplimiento/casos/{{id}}" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="paso" value="dictaminar">
          <label>Dictamen del comité <textarea name="nota" required></textarea></label>
          <button type="submit" name="decision" value="reportable">Reportable</button> <button type="submit" name="decision" value="no_reportable">No reportable</button></form>{{/canDecide}}
        {{#canReport}}<form method="post" action="/cumplimiento/casos/{{id}}" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="paso" value="reportar">
          <label>Folio o acuse de la UIF <input name="folio" required maxlength="80"></label> <button type="submit">Registrar reporte</button></form>{{/canReport}}
        {{/canManage}}
        <h2>Historia</h2>
        <table id="historia"><thead><tr><th>Cuándo</th><th>Quién</th><th>Paso</th><th>Nota</th></tr></thead><tbody>
          {{#events}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{step}}</td><td>{{note}}</td></tr>{{/events}}
        </tbody></table>
        <p><a href="/cumplimiento">Volver a cumplimiento</a></p>
        {{/body}}{{/layout}}
        """

    static let relationships = """
        {{<layout}}{{$body}}
        <h1>Vínculos</h1>
        <p>Grupo de {{size}} cliente(s) que comparten teléfono, correo, domicilio, cuenta, identificadores, representante o beneficiario controlador; calculado {{computedAt}} (<code>cartera relationships build</code>). En rojo, clientes con coincidencia confirmada en listas, operaciones suspendidas o un caso reportable.</p>
        {{#partial}}<p>El grafo muestra los primeros {{drawn}} clientes; las tablas, todos.</p>{{/partial}}
        <figure class="card">{{{graph}}}</figure>
        <h2>Clientes</h2>
        <table id="miembros"><thead><tr><th>Cliente</th><th>Riesgo</th></tr></thead><tbody>
          {{#members}}<tr><td><a href="/cumplimiento/vinculos/{{id}}">{{name}}</a> <code>{{id}}</code>{{#focus}} (consultado){{/focus}}</td><td>{{#highRisk}}<strong>Alto riesgo</strong>{{/highRisk}}</td></tr>{{/members}}
        </tbody></table>
        <h2>Qué comparten</h2>
        <table id="vinculos"><thead><tr><th>Cliente</th><th>Cliente</th><th>Comparten</th></tr></thead><tbody>
          {{#edges}}<tr><td>{{from}}</td><td>{{to}}</td><td>{{kinds}}</td></tr>{{/edges}}
          {{^edges}}<tr><td colspan="3">El cliente no comparte datos con otros.</td></tr>{{/edges}}
        </tbody></table>
        <p><a href="/cumplimiento">Volver a cumplimiento</a></p>
        {{/body}}{{/layout}}
        """

    static let reports = """
        {{<layout}}{{$body}}
        <h1>Reportes generados</h1>
        <p>Archivos para la UIF (<code>cartera report uif</code>) y cintas para Buró de Crédito (<code>cartera report buro</code>), según la bitácora: cada generación, quién la hizo y si pasó la validación. La huella identifica el contenido registrado.</p>
        <table id="reportes"><thead><tr><th>Cuándo</th><th>Quién</th><th>Reporte</th><th>Periodo</th><th>Resultado</th><th>Huella</th></tr></thead><tbody>
          {{#reports}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{report}}</td><td>{{period}}</td><td>{{#ok}}{{outcome}}{{/ok}}{{^ok}}<strong>{{outcome}}</strong>{{/ok}}</td><td><code>{{digest}}</code></td></tr>{{/reports}}
          {{^reports}}<tr><td colspan="6">Aún no se ha generado ningún reporte.</td></tr>{{/reports}}
        </tbody></table>
        <p><a href="/cumplimiento">Volver a cumplimiento</a></p>
        {{/body}}{{/layout}}
        """
}
