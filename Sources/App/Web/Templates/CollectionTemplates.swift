/// The collections dashboard.
enum CollectionTemplates {
    static let dashboard = """
        {{<layout}}{{$body}}
        <h1>Cobranza</h1>
        <p><a href="/cobranza/gestion" id="gestion">Gestión</a>: los créditos por atender, en orden de riesgo. <a href="/cobranza/cosechas" id="cosechas">Cosechas</a>: el atraso de cada mes de disposición. <a href="/cobranza/mensajes" id="mensajes">Mensajes de cobranza</a>: lo que se programó, envió o dejó de enviar a cada acreditado, y por qué.</p>
        {{#empty}}<p>Aún no hay días cerrados. El cierre diario corre solo cada madrugada, o con <code>cartera close-day</code>; después aquí se ve la morosidad de cada día.</p>{{/empty}}
        {{^empty}}
        <form method="get" action="/cobranza" class="inline"><label>Día cerrado <input type="date" name="fecha" value="{{date}}"></label> <button type="submit">Ver</button></form>
        <p>Al {{date}}: {{loans}} créditos vigentes, cartera total {{gross}}. <a href="/cobranza/morosidad.csv?fecha={{date}}" id="csv">Descargar CSV</a></p>
        <table id="indicadores"><tbody>
          <tr><td>PAR30 (saldo de créditos con más de 30 días de atraso y reestructurados ÷ cartera total)</td><td>{{par30}} %</td></tr>
          <tr><td>PAR90</td><td>{{par90}} %</td></tr>
          <tr><td>IMOR (cartera vencida ÷ cartera total)</td><td>{{imor}} % ({{nonPerforming}})</td></tr>
        </tbody></table>
        <h2>Saldo por rango de atraso</h2>
        <figure class="chart">{{{chart}}}</figure>
        <table id="rangos"><thead><tr><th>Rango</th><th>Créditos</th><th>% por número</th><th>Saldo de capital</th><th>% por saldo</th></tr></thead><tbody>
          {{#buckets}}<tr><td>{{label}}</td><td>{{loans}}</td><td>{{shareLoans}} %</td><td>{{principal}}</td><td>{{sharePrincipal}} %</td></tr>{{/buckets}}
        </tbody></table>
        {{#comparison}}<h2>Migración entre rangos desde el {{from}} (% del saldo de cada rango)</h2>
        <table id="migracion"><thead><tr><th>De \\ a</th>{{#codes}}<th>{{code}}</th>{{/codes}}<th>Salió</th></tr></thead><tbody>
          {{#rows}}<tr><td>{{from}}</td>{{#cells}}<td>{{value}} %</td>{{/cells}}</tr>{{/rows}}
        </tbody></table>
        <p>Curas: {{cure}} % de los créditos atrasados el {{from}} están al corriente.</p>{{/comparison}}
        {{^comparison}}<p>Sin un día cerrado un mes antes para comparar la migración entre rangos.</p>{{/comparison}}
        {{#effectiveness}}<h2>Efectividad de la cobranza del {{from}} al {{to}}</h2>
        <p>CEI (saldo cobrado ÷ saldo cobrable): <strong id="cei">{{cei}}</strong></p>
        {{#daysToCollect}}<p id="dias-cobro">Días promedio de cobro: <strong>{{mean}}</strong> (mediana {{median}}, percentil 90: {{p90}}) de {{installments}} parcialidades pagadas con atraso por {{amount}}, ponderado por monto.</p>{{/daysToCollect}}
        <figure class="chart">{{{chart}}}<figcaption>Gris: lo que vencía; verde: lo cobrado, por semana.</figcaption></figure>
        <table id="flujo"><thead><tr><th>Desde</th><th>Proyectado</th><th>Cobrado</th><th>% cobrado</th></tr></thead><tbody>
          {{#monthly}}<tr><td>Mes {{start}}</td><td>{{projected}}</td><td>{{actual}}</td><td>{{share}}</td></tr>{{/monthly}}
          {{#weekly}}<tr><td>Semana {{start}}</td><td>{{projected}}</td><td>{{actual}}</td><td>{{share}}</td></tr>{{/weekly}}
        </tbody></table>{{/effectiveness}}
        {{/empty}}
        {{/body}}{{/layout}}
        """

    static let messages = """
        {{<layout}}{{$body}}
        <h1>Mensajes de cobranza</h1>
        <form method="get" action="/cobranza/mensajes" class="inline"><label>Estado <select name="estado"><option value="">Todos</option>
          {{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select></label> <button type="submit">Filtrar</button></form>
        <p>Cada crédito recibe cada paso de la política una sola vez, en el horario permitido de la zona del acreditado (07:00 a 22:00). Los no enviados dicen por qué.</p>
        <table id="mensajes"><thead><tr><th>Crédito</th><th>Canal</th><th>Plantilla</th><th>Destino</th><th>Programado</th><th>Estado</th><th>Detalle</th></tr></thead><tbody>
          {{#rows}}<tr><td><a href="/cobranza/creditos/{{loan}}">{{loan}}</a></td><td>{{channel}}</td><td>{{template}}</td><td>{{recipient}}</td><td>{{sendAfter}}</td><td>{{state}}</td><td>{{detail}}</td></tr>{{/rows}}
          {{^rows}}<tr><td colspan="7">No hay mensajes con ese filtro.</td></tr>{{/rows}}
        </tbody></table>
        {{/body}}{{/layout}}
        """

    static let loan = """
        {{<layout}}{{$body}}
        <h1>Cobranza del crédito {{loan}}</h1>
        <p><a href="/creditos/{{loan}}">Ver el crédito</a> · Acreditado: {{client}} · Gestor: <span id="gestor">{{gestor}}</span></p>
        {{#assign}}<form method="post" action="/cobranza/creditos/{{loan}}/gestor" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
          <label>Asignar a <select name="gestor"><option value="">Nadie (cuentas comunes)</option>{{#gestores}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/gestores}}</select></label>
          <button type="submit">Asignar</button></form>{{/assign}}
        <h2>Consentimiento de contacto</h2>
        <table id="consentimiento"><tbody>{{#consents}}<tr><td>{{channel}}</td><td>{{state}}</td></tr>{{/consents}}</tbody></table>
        {{#canManage}}<form method="post" action="/cobranza/creditos/{{loan}}/consentimiento" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
          <label>Canal <select name="canal">{{#channels}}<option value="{{value}}">{{label}}</option>{{/channels}}</select></label>
          <label>Decisión <select name="estado"><option value="granted">Autoriza</option><option value="opted_out">Se da de baja</option></select></label>
          <label>Constancia <input name="constancia" required maxlength="300" placeholder="Llamada del 10/03, folio…"></label> <button type="submit">Registrar</button></form>{{/canManage}}
        <h2>Pausas</h2>
        <table id="pausas"><thead><tr><th>Motivo</th><th>Nota</th><th>Desde</th><th>Hasta</th><th></th></tr></thead><tbody>
          {{#holds}}<tr><td>{{reason}}</td><td>{{note}}</td><td>{{from}}</td><td>{{until}}</td><td>{{#active}}{{#canManage}}<form method="post" action="/cobranza/creditos/{{loan}}/pausas/{{id}}/terminar"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Terminar</button></form>{{/canManage}}{{/active}}</td></tr>{{/holds}}
          {{^holds}}<tr><td colspan="5">Sin pausas.</td></tr>{{/holds}}
        </tbody></table>
        {{#canManage}}<form method="post" action="/cobranza/creditos/{{loan}}/pausas" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
          <label>Motivo <select name="motivo">{{#reasons}}<option value="{{value}}">{{label}}</option>{{/reasons}}</select></label>
          <label>Nota <input name="nota" required maxlength="500"></label> <button type="submit">Pausar la cobranza</button></form>{{/canManage}}
        <h2>Promesas de pago</h2>
        <table id="promesas"><thead><tr><th>Monto</th><th>Fecha</th><th>Tolerancia</th><th>Estado</th></tr></thead><tbody>
          {{#promises}}<tr><td>{{amount}}</td><td>{{due}}</td><td>{{tolerance}} días</td><td>{{state}}</td></tr>{{/promises}}
          {{^promises}}<tr><td colspan="4">Sin promesas.</td></tr>{{/promises}}
        </tbody></table>
        {{#canManage}}<form method="post" action="/cobranza/creditos/{{loan}}/promesas" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
          <label>Monto <input name="monto" required inputmode="decimal" placeholder="1250.00"></label>
          <label>Fecha <input type="date" name="fecha" required></label>
          <label>Días de tolerancia <input name="tolerancia" value="2" inputmode="numeric"></label> <button type="submit">Registrar promesa</button></form>{{/canManage}}
        <h2>Contactos</h2>
        <table id="contactos"><thead><tr><th>Fecha</th><th>Medio</th><th>Resultado</th><th>Nota</th><th>Siguiente acción</th></tr></thead><tbody>
          {{#contacts}}<tr><td>{{at}}</td><td>{{channel}}</td><td>{{outcome}}</td><td>{{note}}</td><td>{{next}}</td></tr>{{/contacts}}
          {{^contacts}}<tr><td colspan="5">Sin contactos registrados.</td></tr>{{/contacts}}
        </tbody></table>
        {{#canManage}}<form method="post" action="/cobranza/creditos/{{loan}}/contactos" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
          <label>Medio <select name="canal">{{#channels}}<option value="{{value}}">{{label}}</option>{{/channels}}</select></label>
          <label>Resultado <select name="resultado">{{#outcomes}}<option value="{{value}}">{{label}}</option>{{/outcomes}}</select></label>
          <label>Nota <input name="nota" maxlength="500"></label>
          <label>Siguiente contacto <input type="date" name="siguiente"></label> <button type="submit">Registrar contacto</button></form>{{/canManage}}
        <h2>Mensajes</h2>
        <table id="mensajes"><thead><tr><th>Paso</th><th>Canal</th><th>Vencimiento</th><th>Programado</th><th>Estado</th><th>Detalle</th></tr></thead><tbody>
          {{#messages}}<tr><td>{{template}}</td><td>{{channel}}</td><td>{{due}}</td><td>{{sendAfter}}</td><td>{{state}}</td><td>{{detail}}</td></tr>{{/messages}}
          {{^messages}}<tr><td colspan="6">Aún no se le ha escrito.</td></tr>{{/messages}}
        </tbody></table>
        {{/body}}{{/layout}}
        """

    static let worklist = """
        {{<layout}}{{$body}}
        <h1>Gestión de cobranza</h1>
        {{#empty}}<p>Aún no hay días cerrados: la lista se arma con la foto del último cierre.</p>{{/empty}}
        {{^empty}}
        <p>Al cierre del {{date}}: {{total}} créditos con saldo exigible. {{#model}}Orden por probabilidad de empeorar en 30 días (modelo v{{version}}, AUC {{auc}} en datos reservados) por monto exigible.{{/model}}{{^model}}Orden por monto exigible y días de atraso: aún no hay un modelo entrenado (<code>cartera train-roll-model</code>).{{/model}}</p>
        <p>Se muestran {{scope}}.</p>
        {{#supervisor}}<form method="get" action="/cobranza/gestion" class="card"><label>Gestor <select name="gestor"><option value="">Todos</option><option value="sin"{{#unassignedSelected}} selected{{/unassignedSelected}}>Sin asignar</option>{{#gestores}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/gestores}}</select></label> <button type="submit">Ver</button></form>
        <form method="post" action="/cobranza/gestion/repartir" class="card" id="repartir"><input type="hidden" name="csrf" value="{{csrf}}">
          <p>Repartir las cuentas sin gestor, por turnos en el orden de la lista, entre:</p>
          {{#gestores}}<label><input type="checkbox" name="gestor_{{id}}" value="1"> {{name}}</label> {{/gestores}}{{^gestores}}<span>No hay usuarios con el rol de gestor de cobranza.</span>{{/gestores}}
          <button type="submit">Repartir</button></form>{{/supervisor}}
        <table id="gestion"><thead><tr><th>Crédito</th><th>Acreditado</th><th>Segmento</th><th>Días</th><th>Exigible</th><th>Riesgo</th><th>Por qué</th><th>Último contacto</th><th>Siguiente acción</th><th>Gestor</th></tr></thead><tbody>
          {{#rows}}<tr><td><a href="/cobranza/creditos/{{loan}}">{{loan}}</a></td><td>{{client}}</td><td>{{segment}}</td><td>{{dpd}}</td><td>{{amount}}</td><td>{{risk}}</td><td>{{reasons}}</td><td>{{contact}}</td><td>{{next}}</td><td>{{gestor}}</td></tr>{{/rows}}
          {{^rows}}<tr><td colspan="10">Nadie debe nada al último cierre.</td></tr>{{/rows}}
        </tbody></table>
        {{/empty}}
        {{/body}}{{/layout}}
        """

    static let vintages = """
        {{<layout}}{{$body}}
        <h1>Cosechas</h1>
        <p>Por mes de disposición: porcentaje de los créditos con 30 días o más de atraso (o castigados) al cumplir cada mes. Calculado al {{date}} desde los pagos de cada crédito.</p>
        <figure class="chart">{{{chart}}}</figure>
        <table id="cosechas"><thead><tr><th>Cosecha</th><th>Créditos</th><th>Dispuesto</th>{{#months}}<th>M{{.}}</th>{{/months}}</tr></thead><tbody>
          {{#cohorts}}<tr><td>{{cohort}}</td><td>{{loans}}</td><td>{{disbursed}}</td>{{#values}}<td>{{.}}</td>{{/values}}</tr>{{/cohorts}}
          {{^cohorts}}<tr><td colspan="3">No hay créditos dispuestos en los últimos 12 meses.</td></tr>{{/cohorts}}
        </tbody></table>
        {{/body}}{{/layout}}
        """

    static let settings = """
        {{<layout}}{{$body}}
        <h1>Configuración de cobranza</h1>
        {{#notice}}<p class="notice">{{notice}}</p>{{/notice}}
        <section class="card" id="tramos">
          <h2>Tramos de atraso</h2>
          <table><thead><tr><th>Clave</th><th>Nombre</th><th>Días de atraso</th></tr></thead><tbody>
            {{#bucketRows}}<tr><td>{{code}}</td><td>{{label}}</td><td>{{range}}</td></tr>{{/bucketRows}}
          </tbody></table>
          <form method="post" action="/cobranza/configuracion/tramos"><input type="hidden" name="csrf" value="{{csrf}}">
            <label>Un tramo por línea: <code>clave; nombre; desde; hasta</code> (días; «hasta» vacío en el último). Rigen desde el próximo cierre; las fotos ya tomadas conservan su tramo.
              <textarea name="tramos" rows="7" cols="60">{{buckets}}</textarea></label>
            <button type="submit">Guardar tramos</button></form>
        </section>
        <section class="card" id="politicas">
          <h2>Políticas de cobranza</h2>
          <p>Cada crédito sigue la política más específica: producto y segmento, producto, segmento, general. Guardar una clave existente crea una versión nueva.</p>
          {{#policies}}<h3>{{code}} v{{version}}{{#standard}} (estándar, sin políticas propias){{/standard}} — producto: {{product}}, segmento: {{segment}}</h3>
          <table><thead><tr><th>Cuándo</th><th>Canal</th><th>Plantilla</th><th>Prioridad</th></tr></thead><tbody>
            {{#steps}}<tr><td>{{offset}}</td><td>{{channel}}</td><td><a href="/cobranza/plantillas/{{template}}">{{template}}</a></td><td>{{priority}}</td></tr>{{/steps}}
          </tbody></table>{{/policies}}
          <form method="post" action="/cobranza/configuracion/politicas"><input type="hidden" name="csrf" value="{{csrf}}">
            <label>Clave <input name="codigo" value="{{policyCode}}" placeholder="temprana" required></label>
            <label>Producto <select name="producto"><option value="">Todos</option>{{#products}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{code}}</option>{{/products}}</select></label>
            <label>Segmento <select name="segmento"><option value="">Todos</option>{{#segments}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/segments}}</select></label>
            <label>Un paso por línea: <code>días canal plantilla prioridad</code> (días desde el vencimiento, negativos antes; canales: sms, whatsapp, email, voice).
              <textarea name="pasos" rows="7" cols="60">{{policySteps}}</textarea></label>
            <button type="submit">Guardar política</button></form>
        </section>
        <section class="card" id="plantillas">
          <h2>Plantillas de mensajes</h2>
          <table><thead><tr><th>Clave</th><th>Versión</th><th>Canal</th><th>Origen</th><th>Texto</th></tr></thead><tbody>
            {{#templates}}<tr><td><a href="/cobranza/plantillas/{{key}}">{{key}}</a></td><td>{{version}}</td><td>{{channel}}</td><td>{{origin}}</td><td>{{excerpt}}…</td></tr>{{/templates}}
          </tbody></table>
          <form method="get" action="/cobranza/plantillas">
            <label>Nueva plantilla: clave <input name="clave" pattern="[a-z0-9_]+" placeholder="atraso_45" required></label>
            <label>Canal <select name="canal">{{#channels}}<option value="{{code}}">{{label}}</option>{{/channels}}</select></label>
            <button type="submit">Escribir</button></form>
        </section>
        {{/body}}{{/layout}}
        """

    static let template = """
        {{<layout}}{{$body}}
        <h1>Plantilla «{{key}}» ({{channel}})</h1>
        <p><a href="/cobranza/configuracion#plantillas">Volver a la configuración</a></p>
        {{#notice}}<p class="notice">{{notice}}</p>{{/notice}}
        {{#isNew}}<p>Plantilla nueva: se guarda como versión 1. Úsela en una política con su clave.</p>{{/isNew}}
        <form method="post" action="/cobranza/plantillas/{{key}}" class="card" id="editor"><input type="hidden" name="csrf" value="{{csrf}}">
          {{#isNew}}<label>Canal <select name="canal">{{#channels}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/channels}}</select></label>{{/isNew}}
          {{^isNew}}<input type="hidden" name="canal" value="{{channelCode}}">{{/isNew}}
          {{#isEmail}}<label>Asunto (sin montos ni atrasos) <input name="asunto" value="{{subject}}" size="70"></label>{{/isEmail}}
          {{#isWhatsApp}}<label>Nombre aprobado por Meta <input name="nombre_whatsapp" value="{{whatsAppName}}"></label>{{/isWhatsApp}}
          <label>Texto {{#isSMS}}(solo caracteres GSM-7: sin acentos agudos como á, í, ó, ú; hasta 320){{/isSMS}}<textarea name="cuerpo" rows="9" cols="80">{{body}}</textarea></label>
          <button type="submit" name="accion" value="vista_previa">Vista previa</button> <button type="submit" name="accion" value="guardar">Guardar versión nueva</button>
        </form>
        {{#preview}}<section class="card" id="vista-previa"><h2>Vista previa con datos de ejemplo</h2>
          {{#subject}}<p><strong>Asunto:</strong> {{subject}}</p>{{/subject}}<pre>{{body}}</pre><p>{{measure}}</p></section>{{/preview}}
        <section class="card"><h2>Variables</h2><ul>{{#variables}}<li><code>{{name}}</code>: {{meaning}}</li>{{/variables}}</ul>
          <p>Todo mensaje debe nombrar al otorgante y el crédito, decir cómo pagar con las cuentas del otorgante e incluir «si ya pagaste, ignora este mensaje»; sin amenazas.</p></section>
        <section class="card" id="historial"><h2>Versiones</h2>
          <table><thead><tr><th>Versión</th><th>Guardada</th><th>Texto</th></tr></thead><tbody>
            {{#history}}<tr><td>{{version}}</td><td>{{origin}}</td><td><pre>{{body}}</pre></td></tr>{{/history}}
            {{^history}}<tr><td colspan="3">Sin versiones todavía.</td></tr>{{/history}}
          </tbody></table></section>
        {{/body}}{{/layout}}
        """
}
